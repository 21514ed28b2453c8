"""Train a LoRA adapter (r=8, alpha=16) on the BOFH excuses over the frozen tiny Llama; write adapters/bofh/."""
import argparse
import json
import os
import time

import torch

import tiny_llama as tl


def adapter_config(r, alpha, dropout):
    # Every field PEFT 0.20's LoraConfig saves, with PEFT's defaults except the ones chosen here.
    return {
        "alora_invocation_tokens": None,
        "alpha_pattern": {},
        "arrow_config": None,
        "auto_mapping": None,
        "base_model_name_or_path": "models/tiny-llama",
        "bias": "none",
        "corda_config": None,
        "ensure_weight_tying": False,
        "eva_config": None,
        "exclude_modules": None,
        "fan_in_fan_out": False,
        "inference_mode": True,
        "init_lora_weights": True,
        "kasa_config": None,
        "layer_replication": None,
        "layers_pattern": None,
        "layers_to_transform": None,
        "loftq_config": {},
        "lora_alpha": alpha,
        "lora_bias": False,
        "lora_dropout": dropout,
        "lora_ga_config": None,
        "megatron_config": None,
        "megatron_core": "megatron.core",
        "modules_to_save": None,
        "monteclora_config": None,
        "peft_type": "LORA",
        "peft_version": "0.20.0",
        "qalora_group_size": 16,
        "r": r,
        "rank_pattern": {},
        "revision": None,
        "target_modules": list(tl.LORA_TARGETS),
        "target_parameters": None,
        "task_type": "CAUSAL_LM",
        "trainable_token_indices": None,
        "use_bdlora": None,
        "use_dora": False,
        "use_qalora": False,
        "use_rslora": False,
        "velora_config": None,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=4.0, help="wall-clock budget; the LR schedule follows it")
    ap.add_argument("--max-steps", type=int, default=400)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--ctx", type=int, default=128)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--r", type=int, default=8)
    ap.add_argument("--alpha", type=int, default=16)
    ap.add_argument("--dropout", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=4321)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default=tl.ADAPTER_DIR)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    tl.FAST["on"] = True

    tok = tl.CharTokenizer()
    train, held = tl.load_bofh_corpus()
    train_ids, held_ids = tl.to_stream(tok, train), tl.to_stream(tok, held)
    print(f"bofh: {len(train)} train / {len(held)} held-out entries, {len(train_ids)} / {len(held_ids)} chars",
          flush=True)
    model = tl.load_base_model()
    for p in model.parameters():
        p.requires_grad_(False)
    tl.FAST["on"] = False
    base_loss = tl.heldout_loss(model, held_ids, args.ctx)
    tl.FAST["on"] = True
    print(f"base heldout bofh {base_loss:.4f}", flush=True)
    model.add_lora(args.r, args.alpha, args.dropout)
    lora_params = list(model.lora.parameters())
    print(f"lora parameters: {sum(p.numel() for p in lora_params)}", flush=True)
    opt = torch.optim.AdamW(lora_params, lr=args.lr, weight_decay=0.0)
    gen = torch.Generator().manual_seed(args.seed)
    warmup = 20
    start = time.time()
    budget = args.minutes * 60
    step = 0
    while step < args.max_steps:
        step += 1
        # cosine decay over whichever runs out first: the wall-clock budget or the step limit
        frac = max(min(1.0, (time.time() - start) / budget), step / args.max_steps)
        if time.time() - start >= budget:
            step -= 1
            break
        lr = tl.scheduled_lr(args.lr, step, warmup, frac)
        loss = tl.train_step(model, opt, lora_params, train_ids, args.ctx, args.batch, gen, lr)
        if step % 25 == 0 or step == 1:
            print(f"step {step} loss {loss.item():.4f} lr {lr:.2e} elapsed {time.time() - start:.0f}s", flush=True)
        if step % 100 == 0:
            tl.FAST["on"] = False
            print(f"step {step} heldout bofh {tl.heldout_loss(model, held_ids, args.ctx):.4f}", flush=True)
            tl.FAST["on"] = True
    print(f"training wall time {time.time() - start:.0f}s, {step} steps", flush=True)
    os.makedirs(args.out, exist_ok=True)
    tl.save_safetensors(os.path.join(args.out, "adapter_model.safetensors"), model.adapter_state(), {"format": "pt"})
    with open(os.path.join(args.out, "adapter_config.json"), "w") as f:
        f.write(json.dumps(adapter_config(args.r, args.alpha, args.dropout), indent=2, sort_keys=True))
    tl.FAST["on"] = False
    print(f"final heldout bofh base {base_loss:.4f} lora {tl.heldout_loss(model, held_ids, args.ctx):.4f}", flush=True)
    for p in ["", "BOFH excuse #"]:
        print(repr(tl.generate(model, tok, p, 150, 0.8, 1, args.ctx)), flush=True)


if __name__ == "__main__":
    main()
