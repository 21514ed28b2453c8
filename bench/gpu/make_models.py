#!/usr/bin/env python3
"""Writes the GPU benchmark models: a ~1.2 GB bf16 Llama-shaped base and r=16 / r=256 LoRA adapters.

Usage: python3 make_models.py OUT_DIR    (torch required; CPU is enough)
"""
import json, os, struct, sys
import torch

def write_safetensors(path, tensors):
    header, offset, blobs = {"__metadata__": {"format": "pt"}}, 0, []
    for name in sorted(tensors):
        t = tensors[name].contiguous()
        raw = t.view(torch.uint8).numpy().tobytes() if t.dtype != torch.float32 else t.numpy().tobytes()
        dtype = {torch.bfloat16: "BF16", torch.float16: "F16", torch.float32: "F32"}[t.dtype]
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)

def main(out):
    torch.manual_seed(0)
    hidden, inter, layers, vocab = 2048, 5632, 10, 32000
    base = os.path.join(out, "base")
    os.makedirs(base, exist_ok=True)
    shapes = {"model.embed_tokens.weight": (vocab, hidden), "lm_head.weight": (vocab, hidden), "model.norm.weight": (hidden,)}
    for i in range(layers):
        p = f"model.layers.{i}."
        for n in ("q_proj", "k_proj", "v_proj", "o_proj"):
            shapes[p + f"self_attn.{n}.weight"] = (hidden, hidden)
        shapes[p + "mlp.gate_proj.weight"] = (inter, hidden)
        shapes[p + "mlp.up_proj.weight"] = (inter, hidden)
        shapes[p + "mlp.down_proj.weight"] = (hidden, inter)
        shapes[p + "input_layernorm.weight"] = (hidden,)
        shapes[p + "post_attention_layernorm.weight"] = (hidden,)
    write_safetensors(os.path.join(base, "model.safetensors"),
                      {k: (torch.randn(*s) * 0.02).to(torch.bfloat16) for k, s in shapes.items()})
    with open(os.path.join(base, "config.json"), "w") as f:
        json.dump({"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": hidden,
                   "intermediate_size": inter, "num_hidden_layers": layers, "num_attention_heads": 16,
                   "num_key_value_heads": 16, "vocab_size": vocab, "rms_norm_eps": 1e-6,
                   "tie_word_embeddings": False, "torch_dtype": "bfloat16"}, f, indent=2)
    targets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
    for r in (16, 256):
        folder = os.path.join(out, f"lora_r{r}")
        os.makedirs(folder, exist_ok=True)
        tensors = {}
        for name, shape in shapes.items():
            module = name.rsplit(".", 2)[-2]
            if module in targets:
                key = "base_model.model." + name[: -len(".weight")]
                tensors[key + ".lora_A.weight"] = torch.randn(r, shape[1]) * 0.01
                tensors[key + ".lora_B.weight"] = torch.randn(shape[0], r) * 0.01
        write_safetensors(os.path.join(folder, "adapter_model.safetensors"), tensors)
        with open(os.path.join(folder, "adapter_config.json"), "w") as f:
            json.dump({"peft_type": "LORA", "r": r, "lora_alpha": 2 * r, "target_modules": targets,
                       "base_model_name_or_path": "bench", "fan_in_fan_out": False, "bias": "none"}, f, indent=2)

if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "models")
