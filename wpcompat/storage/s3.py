"""S3Store: media in an S3 bucket through boto3, with the same interface as LocalStore.

Object key = WPCOMPAT_S3_PREFIX + `{tenant}/{yyyy}/{mm}/{name}` (one bucket, a folder per
tenant under the prefix). WPCOMPAT_S3_ENDPOINT_URL points at any S3-compatible store
(MinIO, Ceph, moto in the tests); empty means AWS. Every object is written with server-side
encryption: SSE-KMS with WPCOMPAT_S3_KMS_KEY_ID when set, else SSE-S3 (AES256). PHI arrives
here already encrypted by wpcompat (storage/crypto.py), so the bucket never holds plaintext
PHI even for whoever can read the bucket. The bucket stays private: wpcompat streams files
to clients itself (routes/uploads.py), it never hands out bucket URLs.
"""

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

MISSING = ("404", "NoSuchKey", "NotFound")


class S3Store:
    def __init__(self, bucket, *, prefix="", endpoint_url="", region="us-east-1", kms_key_id="", client=None):
        self.bucket, self.prefix = bucket, prefix or ""
        self.encryption = ({"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": kms_key_id} if kms_key_id
                           else {"ServerSideEncryption": "AES256"})
        self.client = client or boto3.client(
            "s3", endpoint_url=endpoint_url or None, region_name=region or None,
            config=Config(signature_version="s3v4", retries={"max_attempts": 3, "mode": "standard"},
                          connect_timeout=5, read_timeout=30))

    def object_key(self, key):
        from wpcompat.storage import check_key
        return f"{self.prefix}{check_key(key)}"

    def exists(self, key):
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.object_key(key))
            return True
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in MISSING:
                return False
            raise

    def put(self, key, data):
        self.client.put_object(Bucket=self.bucket, Key=self.object_key(key), Body=data, **self.encryption)

    def put_new(self, key, data):
        """put, unless `key` exists (FileExistsError): S3's conditional write (If-None-Match: *)."""
        try:
            self.client.put_object(Bucket=self.bucket, Key=self.object_key(key), Body=data, IfNoneMatch="*",
                                   **self.encryption)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("PreconditionFailed", "ConditionalRequestConflict"):
                raise FileExistsError(key) from None
            raise

    def _get(self, key):
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self.object_key(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in MISSING:
                raise FileNotFoundError(key) from None
            raise

    def read(self, key):
        return self._get(key)["Body"].read()

    def open(self, key):
        """(the object's streaming body, its length): served in chunks, never held whole."""
        answer = self._get(key)
        return answer["Body"], answer["ContentLength"]

    def delete(self, key):
        self.client.delete_object(Bucket=self.bucket, Key=self.object_key(key))
