"""Write a large digest for benchmarks: N articles with threads, in the format of docs/format.md.

Deterministic for a seed. Articles have 500-900 word bodies, 3-6 tags from a vocabulary of about
300, dates across eleven years, about 15 comments each on average (nested up to five deep, some
threads in the flat `parent` form), a few annotations, and one in four is a bundle with a picture.

    python benchmarks/make_site.py --articles 1000 --out /tmp/digest-1000

`make_site(root, articles, seed)` does the same from Python (the build benchmarks use it).
"""

from __future__ import annotations

import argparse
import random
from datetime import datetime, timedelta
from pathlib import Path

import yaml

FIRST_YEAR, YEARS = 2014, 11
MAX_DEPTH = 5
BASE_URL = "https://example.github.io/digest/"

WORDS = """
the of and to in that for on with as by at from it this was which but be are not an have has were had
minister ministry government parliament president treaty agreement alliance summit talks proposal letter
statement officials spokesman defence security missile missiles launcher system systems deployment
moratorium inspection inspectors border region regional forces troops exercise exercises command
nuclear conventional strategic range medium shorter hypersonic cruise ballistic unit units warhead
europe european union member members states state capital country countries neighbours allies partners
sanctions energy pipeline gas oil prices market markets trade tariffs economy budget growth industry
election elections vote voters campaign coalition opposition party parties leader leaders policy policies
week month year years day days morning evening earlier later recently yesterday today soon again
said says told noted added stressed warned suggested announced denied confirmed rejected welcomed
careful study discussion bilateral multilateral format position line official independent significant
response break template counter course reason question answer record history precedent decision
analysts experts observers commentators readers critics supporters press media reports report sources
would could should might must will can may shall need needs require requires consider considers
""".split()

REGIONS = """
NATO Russia Ukraine France Germany Poland Romania Bulgaria Hungary Austria Italy Spain Portugal Greece
Turkey Serbia Croatia Slovenia Slovakia Czechia Lithuania Latvia Estonia Finland Sweden Norway Denmark
Iceland Ireland Britain Belgium Netherlands Luxembourg Switzerland Moldova Belarus Georgia Armenia
Azerbaijan Kazakhstan Uzbekistan China Japan Korea India Pakistan Iran Iraq Syria Israel Egypt Libya
Canada Mexico Brazil Argentina Україна Café
""".split()
TOPICS = """
Energy Sanctions Missiles Diplomacy Elections Trade Budget Gas Oil Pipelines Army Navy Aviation Space
Cyber Intelligence Borders Migration Economy Industry Agriculture Courts Media Press Protests Treaties
Summits Arms Control Nuclear Economie
""".split()


def tag_vocabulary(rng: random.Random) -> list[str]:
    """About 300 tags: each region and topic alone, and a fixed sample of region-topic pairs."""
    pairs = [f"{region} {topic}" for region in REGIONS for topic in TOPICS]
    return REGIONS + TOPICS + sorted(rng.sample(pairs, 300 - len(REGIONS) - len(TOPICS)))


def sentence(rng: random.Random, low: int = 8, high: int = 20) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    if rng.random() < 0.15:
        at = rng.randrange(len(words))
        words[at] = f"*{words[at]}*"
    if rng.random() < 0.05:
        at = rng.randrange(len(words))
        words[at] = f"[{words[at]}](https://example.org/source/{rng.randrange(10_000)})"
    text = " ".join(words)
    return text[0].upper() + text[1:] + rng.choice([".", ".", ".", "?", "!"])


def article_body(rng: random.Random, passages: list[str]) -> str:
    """500-900 words in paragraphs; each of `passages` appears once, for annotations to quote."""
    paragraphs = list(passages)
    if rng.random() < 0.2:
        paragraphs.append("\n".join(f"- {sentence(rng, 4, 8)}" for _ in range(rng.randint(2, 5))))
    if rng.random() < 0.2:
        paragraphs.append(f"## {sentence(rng, 3, 6).rstrip('.?!')}")
    target, words = rng.randint(500, 900), sum(len(p.split()) for p in paragraphs)
    while words < target:
        paragraph = []
        for _ in range(rng.randint(3, 6)):
            paragraph.append(sentence(rng, 8, min(20, max(8, target - words))))
            words += len(paragraph[-1].split())
            if words >= target:
                break
        paragraphs.append(" ".join(paragraph))
    rng.shuffle(paragraphs)
    return "\n\n".join(paragraphs)


def thread(rng: random.Random, start: datetime, count: int | None = None) -> list[dict]:
    """`count` comments, or about 15 on average, replies at most MAX_DEPTH deep; as a flat list with
    parents. A comment answers one of the eight newest that may still be answered, or none."""
    comments: list[dict] = []
    depth: dict[str, int] = {}
    open_parents: list[str] = []  # the comments a reply may answer, oldest first
    when = start
    if count is None:
        count = rng.choice([0, rng.randint(8, 24), rng.randint(12, 36), rng.randint(10, 30)])
    for number in range(count):
        when += timedelta(minutes=rng.randint(1, 400))
        comment_id = f"c{number + 1}"
        parent = None
        if open_parents and rng.random() < 0.55:
            parent = rng.choice(open_parents[-8:])
        depth[comment_id] = 1 if parent is None else depth[parent] + 1
        if depth[comment_id] < MAX_DEPTH:
            open_parents.append(comment_id)
        body = " ".join(sentence(rng, 5, 25) for _ in range(rng.randint(1, 4)))
        if rng.random() < 0.1:
            body = f"> {sentence(rng, 4, 10)}\n\n{body}"
        comment = {"id": comment_id, "author": f"reader{rng.randrange(600)}"}
        if rng.random() < 0.4:
            comment["name"] = rng.choice(["Irina", "Alexey", "Marie", "Jan", "Olga", "Pierre", "Anna", "Tomas"])
        comment["date"] = when.strftime("%Y-%m-%d %H:%M")
        comment["body"] = body
        comments.append({**comment, "parent": parent})
    return comments


def nest(comments: list[dict], flat: bool) -> list[dict]:
    """The thread as written in the file: `parent` keys (flat), or `replies` lists (nested)."""
    if flat:
        return [{k: v for k, v in c.items() if v is not None} for c in comments]
    children: dict[str | None, list[dict]] = {}
    for comment in comments:
        children.setdefault(comment["parent"], []).append(comment)

    def written(comment: dict) -> dict:
        out = {k: v for k, v in comment.items() if k != "parent"}
        replies = [written(child) for child in children.get(comment["id"], [])]
        if replies:
            out["replies"] = replies
        return out

    return [written(c) for c in children.get(None, [])]


def dump(value) -> str:
    return yaml.safe_dump(value, sort_keys=False, allow_unicode=True, width=100)


def make_site(root: Path, articles: int, seed: int = 2019) -> Path:
    rng = random.Random(seed)
    tags = tag_vocabulary(rng)
    (root / "content").mkdir(parents=True, exist_ok=True)
    (root / "sitegen.yaml").write_text(
        f"title: Generated digest\nbase_url: {BASE_URL}\ndescription: {articles} generated articles\n"
        "language: en\ntimezone: Europe/Moscow\nper_page: 20\n", encoding="utf-8")
    for number in range(articles):
        year = FIRST_YEAR + number % YEARS  # every year gets its share
        date = datetime(year, 1, 1) + timedelta(days=rng.randrange(365), minutes=rng.randrange(24 * 60))
        title = sentence(rng, 4, 9).rstrip(".?!")
        slug = f"{'-'.join(title.lower().replace('*', '').split()[:4])}-{number}"
        slug = "".join(ch for ch in slug if ch.isalnum() or ch == "-")
        passages = [f"Passage {number}-{k} is what the editors flagged." for k in range(rng.choice([0, 0, 0, 1, 2]))]
        comments = thread(rng, date)
        front = {"title": title, "date": date.strftime("%Y-%m-%d %H:%M"), "slug": slug,
                 "tags": rng.sample(tags, rng.randint(3, 6))}
        if rng.random() < 0.5:
            front["source"] = {"name": "Wire", "url": f"https://example.org/wire/{number}"}
        annotations = [{"quote": passage, "note": sentence(rng), "author": "Editor"} for passage in passages]
        if comments and rng.random() < 0.15:
            annotations.append({"comment": rng.choice(comments)["id"], "note": sentence(rng)})
        if annotations:
            front["annotations"] = annotations
        bundle = number % 4 == 3
        if bundle:
            front["image"] = {"src": "figure.svg", "alt": f"Figure for article {number}"}
        text = "---\n" + dump(front) + "---\n" + article_body(rng, passages) + "\n"
        written_thread = dump(nest(comments, flat=rng.random() < 0.25)) if comments else None
        folder = root / "content" / str(year)
        if bundle:
            folder = folder / f"{date:%Y-%m-%d}-{slug}"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "index.md").write_text(text, encoding="utf-8")
            (folder / "figure.svg").write_text(
                f'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><text y="15">{number}</text></svg>\n')
            if written_thread:
                (folder / "comments.yaml").write_text(written_thread, encoding="utf-8")
        else:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{date:%Y-%m-%d}-{slug}.md").write_text(text, encoding="utf-8")
            if written_thread:
                (folder / f"{date:%Y-%m-%d}-{slug}.comments.yaml").write_text(written_thread, encoding="utf-8")
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--out", type=Path, required=True, help="the site's folder (made if missing)")
    parser.add_argument("--seed", type=int, default=2019)
    args = parser.parse_args()
    make_site(args.out, args.articles, args.seed)
    print(f"wrote {args.articles} articles to {args.out}")


if __name__ == "__main__":
    main()
