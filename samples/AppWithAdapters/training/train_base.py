"""Train the tiny char-level Llama on the fortunes corpus (CPU) and write models/tiny-llama/."""
import argparse
import json
import os
import time

import torch

import tiny_llama as tl


def write_model_folder(model, tok, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    tl.save_safetensors(os.path.join(out_dir, "model.safetensors"), model.state(), {"format": "pt"})
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(tl.CONFIG, f, indent=2)
        f.write("\n")
    with open(os.path.join(out_dir, "vocab.json"), "w") as f:
        json.dump({s: i for i, s in enumerate(tok.itos)}, f, indent=2)
        f.write("\n")
    with open(os.path.join(out_dir, "tokenizer_config.json"), "w") as f:
        json.dump({
            "tokenizer_type": "char",
            "vocab_file": "vocab.json",
            "bos_token": "<s>",
            "eos_token": "<s>",
            "unk_token": "<unk>",
            "pad_token": "<unk>",
            "add_bos_token": True,
            "model_max_length": tl.CONFIG["max_position_embeddings"],
            "normalization": "tabs expanded to 8 columns, NFKD with combining marks removed; other characters "
                             "outside vocab.json map to <unk>",
        }, f, indent=2)
        f.write("\n")
    with open(os.path.join(out_dir, "generation_config.json"), "w") as f:
        json.dump({"bos_token_id": 1, "eos_token_id": 1, "pad_token_id": 0, "do_sample": True,
                   "temperature": 0.8, "max_new_tokens": 200, "transformers_version": "4.56.0"}, f, indent=2)
        f.write("\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=11.0, help="wall-clock budget; the LR schedule follows it")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--ctx", type=int, default=128)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default=tl.MODEL_DIR)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    tl.FAST["on"] = True

    tok = tl.CharTokenizer()
    assert len(tok) == tl.CONFIG["vocab_size"]
    train, held = tl.load_base_corpus()
    train_ids, held_ids = tl.to_stream(tok, train), tl.to_stream(tok, held)
    bofh_train, bofh_held = tl.load_bofh_corpus()
    bofh_held_ids = tl.to_stream(tok, bofh_held)
    print(f"corpus: {len(train)} train / {len(held)} held-out entries, {len(train_ids)} / {len(held_ids)} chars; "
          f"unk rate {float((train_ids == 0).float().mean()):.5f}", flush=True)

    model = tl.TinyLlama(tl.CONFIG)
    print(f"parameters: {tl.num_params(model)}", flush=True)
    decay = [p for p in model.parameters() if p.dim() == 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.95))
    warmup = 50
    gen = torch.Generator().manual_seed(args.seed)
    held_subset = held_ids[: 64 * (args.ctx + 1) * 4]
    start = time.time()
    budget = args.minutes * 60
    step = 0
    while True:
        step += 1
        # cosine decay over the wall-clock budget (the CPU is shared, so a step count would not fit a time box)
        frac = min(1.0, (time.time() - start) / budget)
        if frac >= 1.0:
            break
        lr = tl.scheduled_lr(args.lr, step, warmup, frac)
        loss = tl.train_step(model, opt, model.parameters(), train_ids, args.ctx, args.batch, gen, lr)
        if step % 25 == 0 or step == 1:
            print(f"step {step} loss {loss.item():.4f} lr {lr:.2e} elapsed {time.time() - start:.0f}s", flush=True)
        if step % 300 == 0:
            print(f"step {step} heldout(subset) {tl.heldout_loss(model, held_subset, args.ctx):.4f}", flush=True)
    print(f"training wall time {time.time() - start:.0f}s, {step - 1} steps", flush=True)
    write_model_folder(model, tok, args.out)
    tl.FAST["on"] = False
    print(f"final heldout fortunes {tl.heldout_loss(model, held_ids, args.ctx):.4f} nats/char", flush=True)
    print(f"final heldout bofh {tl.heldout_loss(model, bofh_held_ids, args.ctx):.4f} nats/char", flush=True)
    for p in ["The ", "BOFH excuse #"]:
        print(repr(tl.generate(model, tok, p, 200, 0.8, 1, args.ctx)), flush=True)


if __name__ == "__main__":
    main()
