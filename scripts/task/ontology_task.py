"""The bundled graph-reasoning task (ProsQA-like, ontology in the weights).

A fixed ontology of made-up concept words arranged as a layered DAG: layer l has
`concepts` concepts, each with `children` distinct children in layer l+1.
A question names a person, their concept (the start, layer d) and two options at
layer d+h, exactly one of which is reachable from the start:

  prompt : "tom is a wumpus . question : is tom a zhorpus or a gerpus ?"
  target : "every wumpus is a yumpus . every yumpus is a zhorpus . answer : tom is a zhorpus ."
           followed by <eos>

Everything here is deterministic for a seed. Python's `random.Random` is used (no
numpy/torch), so the same code regenerates the same ontology and splits anywhere.
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass

NAMES = ["tom", "ann", "bob", "eve", "sam", "max", "sue", "ted", "amy", "rex",
         "kim", "lou", "ida", "ned", "zoe", "jon"]
FUNCTION_WORDS = ["is", "a", "question", "or", "every", "answer"]
PUNCT = [".", "?", ":"]
SPECIALS = ["<pad>", "<bos>", "<eos>", "<unk>"]  # ids 0..3
PAD, BOS, EOS, UNK = 0, 1, 2, 3

ONSETS = ["b", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "y", "z",
          "sh", "ch", "zh", "th", "br", "gl", "st", "kr", "gr", "bl", "dr", "fl", "sn", "tr", "sl", "qu"]
VOWELS = ["a", "e", "i", "o", "u", "ai", "ou", "ee", "oo", "au"]
CODAS = ["m", "r", "l", "n", "s", "x", "", "mp", "rn", "lk"]
SUFFIXES = ["pus", "pus", "pus", "bus", "tus", "mus"]


@dataclass
class TaskSpec:
    layers: int = 16
    concepts: int = 32
    children: int = 3
    min_hops: int = 2
    max_hops: int = 8
    seed: int = 0

    def to_json(self):
        return dict(self.__dict__)

    @staticmethod
    def add_arguments(ap) -> None:
        """The command-line flags that size the task (train.py and make_task.py take the same ones)."""
        d = TaskSpec()
        ap.add_argument("--layers", type=int, default=d.layers)
        ap.add_argument("--concepts", type=int, default=d.concepts)
        ap.add_argument("--children", type=int, default=d.children)
        ap.add_argument("--min-hops", type=int, default=d.min_hops)
        ap.add_argument("--max-hops", type=int, default=d.max_hops)
        ap.add_argument("--task-seed", type=int, default=d.seed)

    @staticmethod
    def from_arguments(args) -> "TaskSpec":
        return TaskSpec(args.layers, args.concepts, args.children, args.min_hops, args.max_hops, args.task_seed)


class Ontology:
    def __init__(self, spec: TaskSpec):
        self.spec = spec
        rng = random.Random(f"ontology-{spec.seed}")
        n = spec.layers * spec.concepts
        words: list[str] = []
        seen = set(NAMES) | set(FUNCTION_WORDS)
        while len(words) < n:
            w = rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS) + rng.choice(SUFFIXES)
            if w not in seen:
                seen.add(w)
                words.append(w)
        # layer l holds words[l*C:(l+1)*C]
        self.layers = [words[l * spec.concepts:(l + 1) * spec.concepts] for l in range(spec.layers)]
        self.depth = {w: l for l, ws in enumerate(self.layers) for w in ws}
        self.children: dict[str, list[str]] = {}
        for l in range(spec.layers - 1):
            nxt = self.layers[l + 1]
            for w in self.layers[l]:
                self.children[w] = sorted(rng.sample(nxt, spec.children), key=nxt.index)
        for w in self.layers[-1]:
            self.children[w] = []
        self.edges = {(a, b) for a, cs in self.children.items() for b in cs}
        self._reach_cache: dict[str, list[set[str]]] = {}

    def frontiers(self, start: str) -> list[set[str]]:
        """frontiers(start)[h] = set of concepts reachable from start in exactly h steps."""
        if start not in self._reach_cache:
            fr = [{start}]
            while True:
                nxt = set()
                for w in fr[-1]:
                    nxt.update(self.children[w])
                if not nxt:
                    break
                fr.append(nxt)
            self._reach_cache[start] = fr
        return self._reach_cache[start]

    def reaches(self, a: str, b: str) -> bool:
        h = self.depth[b] - self.depth[a]
        if h < 0:
            return False
        fr = self.frontiers(a)
        return h < len(fr) and b in fr[h]

    def to_json(self) -> dict:
        return {
            "spec": self.spec.to_json(),
            "layers": self.layers,
            "edges": [[a, b] for a in sorted(self.children, key=lambda w: (self.depth[w], self.layers[self.depth[w]].index(w)))
                      for b in self.children[a]],
        }


def key_of(start, answer, distractor):
    return f"{start}|{answer}|{distractor}"


class TaskGen:
    """Questions. Splits are disjoint by (start, answer, distractor)."""

    def __init__(self, onto: Ontology):
        self.onto = onto

    def sample_question(self, rng: random.Random):
        o, sp = self.onto, self.onto.spec
        while True:
            hops = rng.randint(sp.min_hops, sp.max_hops)
            if hops >= sp.layers:
                continue
            d = rng.randrange(0, sp.layers - hops)
            start = rng.choice(o.layers[d])
            fr = o.frontiers(start)
            if hops >= len(fr):
                continue
            reach = fr[hops]
            unreach = [w for w in o.layers[d + hops] if w not in reach]
            if not unreach:
                continue
            answer = rng.choice(sorted(reach, key=o.layers[d + hops].index))
            distractor = rng.choice(unreach)
            person = rng.choice(NAMES)
            options = [answer, distractor] if rng.random() < 0.5 else [distractor, answer]
            return {"person": person, "start": start, "hops": hops, "options": options,
                    "answer": answer, "distractor": distractor}

    def on_path(self, start: str, answer: str) -> list[set[str]]:
        """on_path[t] = concepts at depth(start)+t reachable from start that reach answer."""
        o = self.onto
        fr = o.frontiers(start)
        hops = o.depth[answer] - o.depth[start]
        return [{w for w in fr[t] if o.reaches(w, answer)} for t in range(hops + 1)]

    def sample_path(self, q, rng: random.Random) -> list[str]:
        """A uniformly chosen valid child at every step."""
        o = self.onto
        path = [q["start"]]
        for _ in range(q["hops"]):
            cands = [c for c in o.children[path[-1]] if o.reaches(c, q["answer"])]
            path.append(rng.choice(cands))
        assert path[-1] == q["answer"]
        return path


def prompt_text(q) -> str:
    a, b = q["options"]
    return f"{q['person']} is a {q['start']} . question : is {q['person']} a {a} or a {b} ?"


def target_text(q, path: list[str]) -> str:
    facts = " ".join(f"every {x} is a {y} ." for x, y in zip(path, path[1:]))
    return f"{facts} answer : {q['person']} is a {q['answer']} ."


def make_splits(gen: TaskGen, n_val: int, n_test: int, seed: int):
    """Validation and test questions (distinct keys, disjoint from each other);
    training must skip their keys (see `heldout_keys`)."""
    out = {}
    used = set()
    for name, n in (("test", n_test), ("validation", n_val)):
        rng = random.Random(f"split-{name}-{seed}")
        qs = []
        while len(qs) < n:
            q = gen.sample_question(rng)
            k = key_of(q["start"], q["answer"], q["distractor"])
            if k in used:
                continue
            used.add(k)
            q["chain"] = gen.sample_path(q, rng)
            qs.append(q)
        out[name] = qs
    return out, used


# --------------------------------------------------------------------------- checker
def check(onto: Ontology, q: dict, text: str, finished: bool) -> dict:
    """Score a generated continuation.

    text: the decoded continuation after the prompt, up to (not including) <eos>;
    finished: whether <eos> was generated (False = hit the token limit).

    Grammar (words = text split on whitespace; C = any concept word of the ontology):
        fact*  "answer" ":" PERSON "is" "a" Z "."          with Z in C
        fact = "every" X "is" "a" Y "."                    with X, Y in C
    malformed: not finished, or the words do not match the grammar exactly (nothing may
        follow the answer sentence), or PERSON is not the question's person.
    correct:   well-formed and Z == the reachable option.
    incorrect: well-formed and Z != the reachable option (the distractor, or a concept
        that is not one of the two options: answer_in_options = False).
    chain_valid: well-formed, at least one fact, every fact (X, Y) is an ontology edge,
        facts are consecutive (Y_i == X_{i+1}), X_1 == start, Y_last == Z (the concept the
        output answers, which need not be an option). A valid chain never ends at the
        distractor (it is unreachable), so chain_valid and answer_in_options imply correct;
        a valid chain may end at a non-option concept (incorrect).
    """
    res = {"status": "malformed", "correct": False, "chain_valid": False, "answer": None,
           "answer_in_options": False, "facts": [], "reason": None}
    if not finished:
        res["reason"] = "no eos"
        return res
    C = onto.depth
    w = text.split()
    i = 0
    facts = []
    while (i + 6 <= len(w) and w[i] == "every" and w[i + 1] in C and w[i + 2] == "is"
           and w[i + 3] == "a" and w[i + 4] in C and w[i + 5] == "."):
        facts.append((w[i + 1], w[i + 4]))
        i += 6
    res["facts"] = facts
    tail = w[i:]
    if (len(tail) != 7 or tail[0] != "answer" or tail[1] != ":" or tail[3] != "is" or tail[4] != "a"
            or tail[5] not in C or tail[6] != "."):
        res["reason"] = "grammar"
        return res
    if tail[2] != q["person"]:
        res["reason"] = "wrong person"
        return res
    z = tail[5]
    res["answer"] = z
    res["answer_in_options"] = z in q["options"]
    res["correct"] = z == q["answer"]
    res["status"] = "correct" if res["correct"] else "incorrect"
    ok = len(facts) > 0 and facts[0][0] == q["start"] and facts[-1][1] == z
    ok = ok and all((x, y) in onto.edges for x, y in facts)
    ok = ok and all(facts[j][1] == facts[j + 1][0] for j in range(len(facts) - 1))
    res["chain_valid"] = bool(ok)
    return res


# --------------------------------------------------------------------------- vocabulary
def vocab_list(onto: Ontology) -> list[str]:
    words = [w for layer in onto.layers for w in layer]
    return SPECIALS + PUNCT + FUNCTION_WORDS + NAMES + words


class WordTok:
    """Python mirror of the WordPiece whole-word tokenizer.json (encode = split on
    whitespace; decode = join with spaces)."""

    def __init__(self, vocab: list[str]):
        self.vocab = vocab
        self.ids = {w: i for i, w in enumerate(vocab)}

    def encode(self, text: str, add_bos: bool = True) -> list[int]:
        ids = [self.ids.get(w, UNK) for w in text.split()]
        return [BOS] + ids if add_bos else ids

    def decode(self, ids, skip_special: bool = True) -> str:
        return " ".join(self.vocab[i] for i in ids if not (skip_special and i < len(SPECIALS)))


def test_record(gen: TaskGen, tok: WordTok, q: dict) -> dict:
    o = gen.onto
    path = q["chain"]
    d0 = o.depth[q["start"]]
    fr = o.frontiers(q["start"])
    onp = gen.on_path(q["start"], q["answer"])
    prompt = prompt_text(q)
    target = target_text(q, path)
    steps = []
    for t, c in enumerate(path):
        steps.append({
            "t": t,
            "depth": d0 + t,
            "concept": c,
            "frontier": sorted(fr[t], key=o.layers[d0 + t].index),
            "on_path": sorted(onp[t], key=o.layers[d0 + t].index),
            "valid_next": [] if t == len(path) - 1 else
            [x for x in o.children[c] if o.reaches(x, q["answer"])],
        })
    return {
        "id": None,
        "prompt": prompt,
        "prompt_ids": tok.encode(prompt),
        "person": q["person"],
        "start": q["start"],
        "options": q["options"],
        "answer": q["answer"],
        "distractor": q["distractor"],
        "hops": q["hops"],
        "start_depth": d0,
        "chain": path,
        "target": target,
        "target_ids": tok.encode(target, add_bos=False) + [EOS],
        "steps": steps,
    }
