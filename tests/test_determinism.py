"""Entity extraction gives the same names and labels whatever the hash seed, worker count or input order."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from archive.entities.normalise import resolve

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "archive" / "sample"

# Invented: two people share a surname, named once each in full, then by the surname alone.
ARTICLE = """Clinton opent bibliotheek in Little Rock

LITTLE ROCK - Hillary Clinton heeft dinsdag een nieuwe openbare bibliotheek geopend in de hoofdstad van \
Arkansas. Clinton sprak over het belang van lezen voor jonge kinderen. Volgens Clinton is het gebouw een \
geschenk aan de stad.

Later op de dag kwam ook Bill Clinton langs. Clinton bekeek de leeszaal en praatte met vrijwilligers. \
Clinton beloofde volgend jaar terug te komen.

De bibliotheek kostte ruim veertig miljoen dollar. Burgemeester Frank Scott bedankte de schenkers. Ook \
Marieke Verhoeven en Joost Verhoeven, die het gebouw ontwierpen, waren aanwezig. Verhoeven noemde het \
ontwerp een eerbetoon aan de oude stadsbibliotheek.
"""

# Read and enrich the given files (reversed on request) in N worker processes; print one JSON line per article.
SCRIPT = """
import json, multiprocessing, sys
from concurrent.futures import ProcessPoolExecutor
from archive.enrich import enrich
from archive.readers import iter_inputs, read_input

def entities(inp):
    return [(a.origin, [[e.field, e.start, e.end, e.label, e.text, e.name] for e in enrich(a).entities])
            for a in read_input(inp)]

if __name__ == "__main__":
    workers, order, paths = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    inputs = list(iter_inputs(paths[::-1] if order == "reversed" else paths))
    if workers > 1:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            results = list(pool.map(entities, inputs))
    else:
        results = [entities(inp) for inp in inputs]
    for origin, ents in sorted(r for result in results for r in result):
        print(json.dumps({"origin": origin, "entities": ents}, ensure_ascii=False))
"""
SEEDS = ("0", "1", "2", "3", "4", "5")


def extract_runs(tmp_path: Path, runs: list[tuple[str, int, str]], paths: list[str]) -> list[str]:
    """Run the script once per (hash seed, workers, order), all at once, and return each run's output."""
    script = tmp_path / "extract.py"
    script.write_text(SCRIPT, encoding="utf-8")
    procs = []
    for seed, workers, order in runs:
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        cmd = [sys.executable, str(script), str(workers), order, *paths]
        procs.append(subprocess.Popen(cmd, env=env, cwd=ROOT, text=True,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    outputs = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        outputs.append(out)
    return outputs


def varied(seeds: tuple[str, ...]) -> list[tuple[str, int, str]]:
    """Return one run per seed, every other one with the inputs reversed, the last one in two workers."""
    return [(seed, 2 if i == len(seeds) - 1 else 1, "reversed" if i % 2 else "given") for i, seed in enumerate(seeds)]


def test_shared_surname_resolves_the_same_under_every_hash_seed(tmp_path: Path) -> None:
    article = tmp_path / "nl_clintons.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    paths = [str(article), str(SAMPLE / "nl_fietsbrug.txt"), str(SAMPLE / "nl_verkiezingen.txt")]
    outputs = extract_runs(tmp_path, varied(SEEDS), paths)
    assert "Bill Clinton" in outputs[0] and "Hillary Clinton" in outputs[0]
    assert all(out == outputs[0] for out in outputs), "entities differ between seeds, workers or input order"


@pytest.mark.slow
def test_samples_are_the_same_under_every_hash_seed(tmp_path: Path) -> None:
    paths = [str(p) for p in sorted(SAMPLE.glob("*.txt"))]
    outputs = extract_runs(tmp_path, varied(SEEDS), paths)
    assert len(outputs[0].splitlines()) == len(paths)
    assert all(out == outputs[0] for out in outputs), "entities differ between seeds, workers or input order"


def mentions(text: str) -> list[tuple[str, int, int]]:
    """Return every `Clinton`, with the given name before it where there is one, as a PER mention."""
    return [("PER", *m.span()) for m in re.finditer(r"(?:Hillary |Bill )?Clinton", text)]


def test_lone_surname_takes_the_nearest_full_name_before_it() -> None:
    text = "Clinton komt. Hillary Clinton spreekt. Clinton lacht. Bill Clinton zwaait. Clinton vertrekt."
    found = resolve(text, mentions(text))
    assert [e.name for e in found] == [
        "Hillary Clinton", "Hillary Clinton", "Hillary Clinton", "Bill Clinton", "Bill Clinton"
    ]


def test_most_mentioned_full_name_still_wins() -> None:
    text = "Bill Clinton kwam. Bill Clinton sprak. Hillary Clinton zweeg. Clinton vertrok."
    found = resolve(text, mentions(text))
    assert found[-1].name == "Bill Clinton"
