"""A lean PyTorch LoRA merge of the same files, for the speed comparison in merge-bench.sh.

Reads the base and adapter safetensors (own reader, mmap + torch.frombuffer), computes W + (B @ A) * s in f32 per
targeted weight, rounds to the base dtype, writes a safetensors file. Debian's python3-torch; no PEFT needed.
"""
import json, mmap, struct, sys, time
import torch

DT = {"BF16": torch.bfloat16, "F16": torch.float16, "F32": torch.float32}


def read(path):
    f = open(path, "rb")
    m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    n = struct.unpack("<Q", m[:8])[0]
    header = json.loads(m[8:8 + n])
    meta = header.pop("__metadata__", {})
    out = {}
    for name, t in header.items():
        b, e = t["data_offsets"]
        buf = memoryview(m)[8 + n + b: 8 + n + e]
        out[name] = torch.frombuffer(buf, dtype=DT[t["dtype"]]).reshape(t["shape"]) if e > b else torch.empty(t["shape"], dtype=DT[t["dtype"]])
    return out, meta, header


def write(path, tensors, meta):
    header, offset, order = {"__metadata__": meta}, 0, []
    for name, t in tensors.items():
        size = t.numel() * t.element_size()
        header[name] = {"dtype": {v: k for k, v in DT.items()}[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + size]}
        offset += size
        order.append(name)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h)
        for name in order:
            f.write(tensors[name].contiguous().view(torch.uint8).numpy().tobytes())


def main(base_dir, adapter_dir, out_path):
    torch.set_num_threads(2)
    start = time.perf_counter()
    base, meta, _ = read(f"{base_dir}/model.safetensors")
    adapter, _, _ = read(f"{adapter_dir}/adapter_model.safetensors")
    cfg = json.load(open(f"{adapter_dir}/adapter_config.json"))
    s = cfg["lora_alpha"] / cfg["r"]
    merged = {}
    for name, w in base.items():
        key = "base_model.model." + name[: -len(".weight")]
        a = adapter.get(key + ".lora_A.weight")
        if a is None:
            merged[name] = w
            continue
        b = adapter[key + ".lora_B.weight"]
        merged[name] = (w.float() + (b.float() @ a.float()) * s).to(w.dtype)
    write(out_path, merged, meta)
    print(f"torch_seconds={time.perf_counter() - start:.3f}")


if __name__ == "__main__":
    main(*sys.argv[1:4])
