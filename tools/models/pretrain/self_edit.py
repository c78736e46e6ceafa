"""The ARC self-edit as the lab parses it (src/seal/arc/self_edit.ts), for the PyTorch tools: tools/models/pretrain checks
the embedded model's self-edits with it, tools/models/arcworld its candidate world's."""
import json

SE_KEYS = {"use_basic_augmentations", "use_size_augmentations", "use_chain_augmentations", "use_repeat_augmentations"}


def parse_self_edit(text):
    """First balanced {...} that parses, validated like src/seal/arc/self_edit.ts (strict keys and types)."""
    start = text.find("{")
    while start >= 0:
        depth, ins, end = 0, False, -1
        i = start
        while i < len(text):
            ch = text[i]
            if ins:
                if ch == "\\":
                    i += 1
                elif ch == '"':
                    ins = False
            elif ch == '"':
                ins = True
            elif ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    end = i
                    break
            i += 1
        if end < 0:
            start = text.find("{", start + 1)
            continue
        try:
            v = json.loads(text[start : end + 1])
        except Exception:
            start = text.find("{", end + 1)
            continue
        try:
            dg, tr = v["data_generation"], v["training"]
            assert set(v) == {"data_generation", "training"} and set(dg) == SE_KEYS
            assert all(isinstance(dg[k], bool) for k in SE_KEYS)
            assert set(tr) == {"strategy", "learning_rate", "num_train_epochs"}
            assert tr["strategy"] in ("train_using_all_tokens", "train_using_output_tokens")
            lr = tr["learning_rate"]
            assert isinstance(lr, (int, float)) and not isinstance(lr, bool) and 0 < lr <= 1
            ep = tr["num_train_epochs"]
            assert isinstance(ep, (int, float)) and not isinstance(ep, bool) and float(ep).is_integer() and ep >= 1
            return v
        except (AssertionError, KeyError, TypeError):
            return None
    return None
