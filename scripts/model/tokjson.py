"""Builders for Hugging Face tokenizer.json files (the subset that
@huggingface/tokenizers loads: WordPiece, BPE (byte-level / byte-fallback))."""
from __future__ import annotations


def _added(i: int, content: str, special: bool = True) -> dict:
    return {"id": i, "content": content, "single_word": False, "lstrip": False,
            "rstrip": False, "normalized": False, "special": special}


def wordpiece(vocab: list[str], specials: list[str], unk: str, bos: str | None = None) -> dict:
    """Whole-word WordPiece: the text is split on whitespace and every word must be
    a vocabulary entry (there are no '##' pieces). The decoder joins words with
    single spaces. If `bos` is given, a TemplateProcessing post-processor prepends
    it when add_special_tokens is true (the default of encode())."""
    post = None
    if bos is not None:
        bid = vocab.index(bos)
        post = {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": bos, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": bos, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {bos: {"id": bos, "ids": [bid], "tokens": [bos]}},
        }
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [_added(vocab.index(s), s) for s in specials],
        "normalizer": None,
        "pre_tokenizer": {"type": "WhitespaceSplit"},
        "post_processor": post,
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": False},
        "model": {
            "type": "WordPiece",
            "unk_token": unk,
            "continuing_subword_prefix": "##",
            "max_input_chars_per_word": 100,
            "vocab": {t: i for i, t in enumerate(vocab)},
        },
    }


def bytelevel_bpe(vocab: list[str], merges: list[str], specials: list[str]) -> dict:
    """GPT-2 style byte-level BPE (no bos added by the post-processor)."""
    bl = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [_added(vocab.index(s), s) for s in specials],
        "normalizer": None,
        "pre_tokenizer": dict(bl),
        "post_processor": dict(bl, trim_offsets=False),
        "decoder": dict(bl),
        "model": {
            "type": "BPE", "dropout": None, "unk_token": None,
            "continuing_subword_prefix": "", "end_of_word_suffix": "",
            "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
            "vocab": {t: i for i, t in enumerate(vocab)},
            "merges": merges,
        },
    }


def llama_bpe(vocab: list[str], merges: list[str], specials: list[str], unk: str, bos: str) -> dict:
    """Llama-2 style SentencePiece-BPE with byte fallback: '▁' for spaces, bytes
    that are not in the vocabulary become <0xNN> tokens; <s> is prepended by the
    post-processor."""
    bid = vocab.index(bos)
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [_added(vocab.index(s), s) for s in specials],
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Prepend", "prepend": "\u2581"},
            {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"},
        ]},
        "pre_tokenizer": None,
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": bos, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": bos, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": bos, "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {bos: {"id": bos, "ids": [bid], "tokens": [bos]}},
        },
        "decoder": {"type": "Sequence", "decoders": [
            {"type": "Replace", "pattern": {"String": "\u2581"}, "content": " "},
            {"type": "ByteFallback"},
            {"type": "Fuse"},
            {"type": "Strip", "content": " ", "start": 1, "stop": 0},
        ]},
        "model": {
            "type": "BPE", "dropout": None, "unk_token": unk,
            "continuing_subword_prefix": None, "end_of_word_suffix": None,
            "fuse_unk": True, "byte_fallback": True, "ignore_merges": False,
            "vocab": {t: i for i, t in enumerate(vocab)},
            "merges": merges,
        },
    }


def tokenizer_config(bos: str | None, eos: str | None, pad: str | None, unk: str | None,
                     add_bos: bool, cls: str = "PreTrainedTokenizerFast") -> dict:
    return {
        "tokenizer_class": cls,
        "bos_token": bos,
        "eos_token": eos,
        "pad_token": pad,
        "unk_token": unk,
        "add_bos_token": add_bos,
        "add_eos_token": False,
        "clean_up_tokenization_spaces": False,
        "model_max_length": 512,
    }
