"""Files the media tests upload: images (Pillow), DICOM exams (pydicom), a renamed executable."""

import io

from PIL import Image
from pydicom import dcmwrite
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, SecondaryCaptureImageStorage, generate_uid

PATIENT_NAME = "Silva^Maria Aparecida"
PATIENT_ID = "PAT-0042-7731"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 300 + b"This program cannot be run in DOS mode."


def image_bytes(fmt="PNG", size=(800, 600), color=(10, 120, 200)):
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt)
    return out.getvalue()


def dicom_bytes(patient=True, description="Knee MRI"):
    """A small valid DICOM file (8x8 pixels); with patient tags (PHI) unless patient=False."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = SecondaryCaptureImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    dataset = Dataset()
    dataset.file_meta = meta
    dataset.SOPClassUID, dataset.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
    dataset.Modality, dataset.StudyDescription = "OT", description
    if patient:
        dataset.PatientName, dataset.PatientID, dataset.PatientBirthDate = PATIENT_NAME, PATIENT_ID, "19800131"
    dataset.Rows = dataset.Columns = 8
    dataset.SamplesPerPixel, dataset.PhotometricInterpretation = 1, "MONOCHROME2"
    dataset.BitsAllocated, dataset.BitsStored, dataset.HighBit, dataset.PixelRepresentation = 8, 8, 7, 0
    dataset.PixelData = bytes(range(64))
    out = io.BytesIO()
    dcmwrite(out, dataset, enforce_file_format=True)
    return out.getvalue()


def raw_upload(client, site, headers, data, name="scan.png", content_type="image/png", **extra):
    """POST /wp/v2/media with the file as the body, as api-fetch's raw upload sends it."""
    return client.simulate_post("/wp-json/wp/v2/media", host=site.host, body=data, headers={
        **headers, "Content-Type": content_type, "Content-Disposition": f'attachment; filename="{name}"', **extra})


def multipart_upload(client, site, headers, data, name, fields=()):
    """POST /wp/v2/media as multipart/form-data: `fields` then the `file` part."""
    boundary = "wpcompatBoundary"
    chunks = [f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
              for key, value in fields]
    chunks.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                  f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return client.simulate_post("/wp-json/wp/v2/media", host=site.host, body=b"".join(chunks), headers={
        **headers, "Content-Type": f"multipart/form-data; boundary={boundary}"})


def stored_files(root):
    """Every file under a local store's root, as relative paths."""
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()) if root.exists() else []
