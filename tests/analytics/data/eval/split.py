"""Split the labelled overlap texts once into a development part and a test part.

Run once, when the sets were written (`python tests/analytics/data/eval/split.py`); the output
files are committed and never tuned on for the test part. The team's own earlier set
(`overlap_eval.json`, on which the first method's weights were chosen) goes whole into the
development part. Of the sets written later by others (`set_a.json`, `set_b.json`), whole
overlap groups go to one part or the other, chosen by a hash of the group's name (so no group
is split across the parts), and hard negatives by a hash of their id. Each part is evaluated as
a corpus of its own.
"""

import hashlib
import json
from pathlib import Path

HERE = Path(__file__).parent


def part(key: str) -> str:
    return "test" if hashlib.sha256(key.encode()).digest()[0] % 2 else "dev"


def main() -> None:
    parts: dict[str, list[dict]] = {"dev": [], "test": []}
    groups: dict[str, dict[str, str]] = {"dev": {}, "test": {}}
    earlier = json.loads((HERE.parent / "overlap_eval.json").read_text(encoding="utf-8"))["initiatives"]
    parts["dev"] += [{**text, "source": "overlap_eval"} for text in earlier]
    for name in ("set_a", "set_b"):
        written = json.loads((HERE / f"{name}.json").read_text(encoding="utf-8"))
        for text in written["initiatives"]:
            chosen = part(f"group:{text['group']}" if text["group"] else f"text:{text['id']}")
            parts[chosen].append({**text, "source": name})
        for group, sentence in written["groups"].items():
            groups[part(f"group:{group}")][group] = sentence
    for chosen, texts in parts.items():
        document = {"part": chosen, "groups": groups[chosen], "initiatives": texts}
        path = HERE / f"overlap_{chosen}.json"
        path.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        named = {text["group"] for text in texts if text["group"]}
        negatives = sum(text["group"] is None for text in texts)
        print(f"{path.name}: {len(texts)} texts, {len(named)} groups, {negatives} hard negatives")


if __name__ == "__main__":
    main()
