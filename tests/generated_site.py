"""A deterministic digest of N articles for tests: tags, eleven years of dates, nested threads."""

from __future__ import annotations

import random
from pathlib import Path

import yaml

TAGS = ["NATO", "Russia", "Ukraine", "France", "Germany", "United States", "Diplomacy", "Missiles",
        "Energy", "Sanctions", "Baltic States", "Poland", "C++", "Україна", "Café", "Économie"]
WORDS = ("the minister said that talks would resume after the summit while critics doubted any "
         "progress on the treaty could be made before the elections").split()


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _thread(rng: random.Random, depth: int = 0) -> list[dict]:
    comments = []
    for _ in range(rng.choice([0, 0, 1, 2, 3]) if depth else rng.choice([0, 1, 2, 4, 6])):
        comment = {"author": f"reader{rng.randrange(40)}", "body": _sentence(rng, 12)}
        if rng.random() < 0.5:
            comment["date"] = f"20{rng.randrange(15, 26)}-0{rng.randrange(1, 10)}-1{rng.randrange(10)} 1{rng.randrange(10)}:30"
        if depth < 4:
            replies = _thread(rng, depth + 1)
            if replies:
                comment["replies"] = replies
        comments.append(comment)
    return comments


def generate_site(root: Path, articles: int, per_page: int = 7, seed: int = 1,
                  base_url: str = "https://user.github.io/digest/") -> Path:
    rng = random.Random(seed)
    (root / "content").mkdir(parents=True, exist_ok=True)
    (root / "sitegen.yaml").write_text(
        f"title: Generated\nbase_url: {base_url}\ntimezone: Europe/Paris\nper_page: {per_page}\n")
    for number in range(articles):
        year, month, day = 2015 + rng.randrange(11), 1 + rng.randrange(12), 1 + rng.randrange(28)
        slug = f"article-{number:04d}"
        front = {
            "title": f"Article {number}: {_sentence(rng, 5)}",
            "date": f"{year}-{month:02d}-{day:02d} {rng.randrange(24):02d}:{rng.randrange(60):02d}",
            "tags": rng.sample(TAGS, rng.randrange(1, 4)),
        }
        body = "\n\n".join(_sentence(rng, 30) for _ in range(3))
        thread = _thread(rng)
        if thread and rng.random() < 0.3:
            front["annotations"] = [{"comment": "c1", "note": "A note on the first comment."}]
        folder = root / "content" / str(year)
        folder.mkdir(exist_ok=True)
        text = "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n" + body + "\n"
        if number % 3 == 0:  # a bundle
            (folder / slug).mkdir()
            (folder / slug / "index.md").write_text(text, encoding="utf-8")
            if thread:
                (folder / slug / "comments.yaml").write_text(yaml.safe_dump(thread, allow_unicode=True), encoding="utf-8")
        else:
            (folder / f"{slug}.md").write_text(text, encoding="utf-8")
            if thread:
                (folder / f"{slug}.comments.yaml").write_text(
                    yaml.safe_dump({"closed": number % 5 == 0, "comments": thread}, allow_unicode=True),
                    encoding="utf-8")
    return root
