"""Join an id→label file and an id→concept-URI file into a Meritmatch label file.

The Swedish ESCO occupation labels published with the MELO benchmark come as two TSV files:
``corpus_elements.tsv`` (id, label) and ``concept_mapping.tsv`` (id, ESCO concept URI). Ids
ending in ``_000`` hold the preferred label; the others are alternative labels.
``matcher esco import`` takes the joined file (URI, language, label) beside the bundles:

    python esco_data/join_label_files.py corpus_elements.tsv concept_mapping.tsv --lang sv \\
        > sv-occupation-labels.tsv
    matcher esco import CLASSIFICATION.zip RELATIONS.zip sv-occupation-labels.tsv
"""

from __future__ import annotations

import argparse
import csv
import sys


def read_pairs(path: str) -> dict[str, str]:
    with open(path, encoding="utf-8", newline="") as fh:
        return {row[0]: row[1] for row in csv.reader(fh, delimiter="\t") if len(row) >= 2}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labels", help="TSV: id, label")
    parser.add_argument("mapping", help="TSV: id, concept URI")
    parser.add_argument("--lang", required=True, help="language code of the labels, e.g. sv")
    args = parser.parse_args()
    labels, mapping = read_pairs(args.labels), read_pairs(args.mapping)
    # Preferred labels (_000) first, so the importer takes them as preferred.
    ids = sorted(labels, key=lambda i: (not i.endswith("_000"), i))
    writer = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
    writer.writerow(["uri", "lang", "label"])
    for id_ in ids:
        uri = mapping.get(id_)
        if uri:
            writer.writerow([uri, args.lang, labels[id_]])
    return 0


if __name__ == "__main__":
    sys.exit(main())
