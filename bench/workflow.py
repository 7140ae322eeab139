"""The healthcare workflow's analysers: documents per second through S.2.1, S.3.1 and S.4.

    .venv/bin/python bench/workflow.py [--posts 1000] [--words 1500] [--seed 7]

Builds N synthetic posts of about W words each (Portuguese and English medical prose, with a
sprinkling of what the stages look for: patient phrases, CPFs, phones, e-mails, addresses,
quantitative claims, PMIDs and DOIs, promises of cure), then times each analyser alone and the
three in a row (as `wpcompat.workflow.pipeline.run` calls them, without the database). Prints
documents/s and MB/s per stage. Nothing here asserts a speed.
"""

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from wpcompat.workflow import cfm, claims, lgpd  # noqa: E402

FILLER = {
    "pt": ("a pressão arterial deve ser medida em repouso com o braço apoiado na altura do coração e o "
           "paciente sentado há pelo menos cinco minutos sem ter fumado ou tomado café na última hora "
           "segundo as diretrizes brasileiras de hipertensão o diagnóstico exige medidas repetidas em "
           "consultas diferentes e a monitorização residencial ajuda a confirmar os valores").split(),
    "en": ("blood pressure should be measured at rest with the arm supported at heart level after five "
           "minutes seated without smoking or caffeine in the previous hour according to current "
           "guidelines the diagnosis requires repeated measurements on separate visits and home "
           "monitoring helps confirm the readings").split(),
}
SPICE = {
    "pt": ["A paciente Maria José da Silva, 45 anos, foi atendida.", "CPF 529.982.247-25.",
           "Ligue (11) 3061-7000.", "Escreva para contato@clinica.com.br.", "Rua Augusta, 1500.",
           "O tratamento reduz a mortalidade em 30% (PMID: 26551272).", "Este chá cura a hipertensão.",
           "Ver doi:10.1056/NEJMoa1511939.", "Nascida em 12/03/1978."],
    "en": ["Patient Mary Smith, 52 years old, was admitted.", "Call (415) 555-2671.",
           "It reduces the risk of stroke by 20% (PMID 37952131).", "Guaranteed results in 30 days.",
           "See https://pubmed.ncbi.nlm.nih.gov/25176015/ for details.", "Lives at 742 Evergreen Terrace."],
}


def synthetic_post(rng, words):
    lang = rng.choice(("pt", "en"))
    paragraphs, count = [], 0
    while count < words:
        sentence_words = rng.sample(FILLER[lang], k=rng.randint(12, 24))
        sentence = " ".join(sentence_words).capitalize() + "."
        if rng.random() < 0.08:
            sentence += " " + rng.choice(SPICE[lang])
        paragraphs.append(f"<!-- wp:paragraph --><p>{sentence}</p><!-- /wp:paragraph -->")
        count += len(sentence.split())
    return {"title": "Hipertensão: o que muda" if lang == "pt" else "Hypertension: what changes",
            "content": "\n".join(paragraphs), "excerpt": "", "meta.evidence_level": "1"}


def s4(texts, result, found):
    return cfm.validate(cfm.CfmInput(
        compliance_level="professional", medical_category="cardiology", disclaimer="Aviso.",
        registry="CRM/SP 123456", registry_validated=True, images=cfm.images_in(texts["content"]),
        consent=False, texts=texts, contains_phi=result.contains_phi, unsupported_claims=found.unsupported))


def timed(label, posts, action, size):
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        for texts in posts:
            action(texts)
        runs.append(time.perf_counter() - start)
    best = min(runs)
    print(f"| {label:<28} | {len(posts) / best:>10,.0f} | {size / best / 1e6:>7.1f} | "
          f"{best * 1000 / len(posts):>8.2f} | {statistics.median(runs):>7.2f} s |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--words", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()
    rng = random.Random(options.seed)
    posts = [synthetic_post(rng, options.words) for _ in range(options.posts)]
    size = sum(len(value.encode()) for texts in posts for value in texts.values())
    words = statistics.mean(len(texts["content"].split()) for texts in posts)
    print(f"{options.posts} posts, ~{words:.0f} words ({size / len(posts) / 1024:.1f} KiB) each, "
          f"Python {sys.version.split()[0]}\n")
    print("| stage                        |     docs/s |    MB/s | ms/doc   | median  |")
    print("|---|---:|---:|---:|---:|")
    results = {}

    def lgpd_only(texts):
        results[id(texts)] = lgpd.analyze(texts)

    def claims_only(texts):
        results[(id(texts), "c")] = claims.extract(texts, results[id(texts)].findings)

    def cfm_only(texts):
        s4(texts, results[id(texts)], results[(id(texts), "c")])

    def all_three(texts):
        result = lgpd.analyze(texts)
        s4(texts, result, claims.extract(texts, result.findings))

    timed("S.2.1 LGPD analyzer", posts, lgpd_only, size)
    timed("S.3.1 claims extractor", posts, claims_only, size)
    timed("S.4 CFM validator", posts, cfm_only, size)
    timed("S.2.1 → S.3.1 → S.4", posts, all_three, size)
    found = sum(len(results[id(texts)].findings) for texts in posts)
    print(f"\n{found} LGPD findings, {sum(len(results[(id(t), 'c')].claims) for t in posts)} claims in the corpus")


if __name__ == "__main__":
    main()
