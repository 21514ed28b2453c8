"""Write reference_logits.json (checked by tests/LoraMerge.Sample.Tests) and print held-out losses and samples."""
import json
import os

import torch

import tiny_llama as tl

PROMPT = "BOFH excuse #"
CTX = 128


def main():
    torch.set_num_threads(1)
    tok = tl.CharTokenizer()
    _, fortunes_held = tl.load_base_corpus()
    _, bofh_held = tl.load_bofh_corpus()
    fortunes_ids, bofh_ids = tl.to_stream(tok, fortunes_held), tl.to_stream(tok, bofh_held)

    model = tl.load_base_model()
    ids = [1] + tok.encode(PROMPT)
    with torch.no_grad():
        base_logits = model(torch.tensor([ids]))[0, -1]
    base_fortunes = tl.heldout_loss(model, fortunes_ids, CTX)
    base_bofh = tl.heldout_loss(model, bofh_ids, CTX)
    base_samples = {p: tl.generate(model, tok, p, 160, 0.8, s, CTX) for s, p in enumerate(["", "The ", PROMPT])}

    acfg = tl.load_adapter(model)
    with torch.no_grad():
        lora_logits = model(torch.tensor([ids]))[0, -1]
    lora_bofh = tl.heldout_loss(model, bofh_ids, CTX)
    lora_fortunes = tl.heldout_loss(model, fortunes_ids, CTX)
    lora_samples = {p: tl.generate(model, tok, p, 160, 0.8, s, CTX) for s, p in enumerate(["", "The ", PROMPT])}

    ref = {
        "prompt": PROMPT,
        "token_ids": ids,
        "lora_scaling": acfg["lora_alpha"] / acfg["r"],
        "base": {"argmax": int(base_logits.argmax()), "logits": [float(v) for v in base_logits]},
        "base_plus_lora": {"argmax": int(lora_logits.argmax()), "logits": [float(v) for v in lora_logits]},
        "bofh_heldout": {
            "window": CTX,
            "note": "mean next-char loss over non-overlapping windows of window+1 ids (the last partial window dropped)",
            "base_loss": base_bofh,
            "lora_loss": lora_bofh,
            "token_ids": [int(i) for i in bofh_ids],
        },
        "fortunes_heldout": {"base_loss": base_fortunes, "lora_loss": lora_fortunes},
    }
    out = os.path.join(tl.HERE, "reference_logits.json")
    with open(out, "w") as f:
        json.dump(ref, f, indent=1)
        f.write("\n")
    print(f"held-out fortunes: base {base_fortunes:.4f}, base+lora {lora_fortunes:.4f} nats/char")
    print(f"held-out bofh:     base {base_bofh:.4f}, base+lora {lora_bofh:.4f} nats/char")
    print(f"argmax after {PROMPT!r}: base {tok.decode([ref['base']['argmax']])!r}, "
          f"lora {tok.decode([ref['base_plus_lora']['argmax']])!r}")
    for name, samples in (("base", base_samples), ("base+lora", lora_samples)):
        for p, text in samples.items():
            print(f"--- {name}, prompt {p!r}, T=0.8\n{text}")


if __name__ == "__main__":
    main()
