"""Shared pieces of the tiny Llama sample: char tokenizer, corpora, the model, LoRA, safetensors I/O.

The forward pass mirrors transformers' LlamaForCausalLM (eager attention) so the committed folder loads there
unchanged. Only torch and numpy are needed.
"""
import json
import math
import os
import struct
import unicodedata

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE_DIR = os.path.dirname(HERE)
MODEL_DIR = os.path.join(SAMPLE_DIR, "models", "tiny-llama")
ADAPTER_DIR = os.path.join(SAMPLE_DIR, "adapters", "bofh")
FORTUNE_DIR = "/usr/share/games/fortunes"
BOFH_FILE = "bofh-excuses"

CONFIG = {
    "architectures": ["LlamaForCausalLM"],
    "attention_bias": False,
    "attention_dropout": 0.0,
    "bos_token_id": 1,
    "eos_token_id": 1,
    "head_dim": 32,
    "hidden_act": "silu",
    "hidden_size": 128,
    "initializer_range": 0.02,
    "intermediate_size": 352,
    "max_position_embeddings": 256,
    "mlp_bias": False,
    "model_type": "llama",
    "num_attention_heads": 4,
    "num_hidden_layers": 4,
    "num_key_value_heads": 2,
    "pad_token_id": 0,
    "pretraining_tp": 1,
    "rms_norm_eps": 1e-05,
    "rope_scaling": None,
    "rope_theta": 10000.0,
    "tie_word_embeddings": False,
    "torch_dtype": "float32",
    "transformers_version": "4.56.0",
    "use_cache": True,
    "vocab_size": 98,
}

LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


# ---------------------------------------------------------------- tokenizer
class CharTokenizer:
    """id 0 = <unk> (also padding), id 1 = <s> (separates documents), then '\\n', then printable ASCII 32..126."""

    UNK, BOS = "<unk>", "<s>"

    def __init__(self):
        chars = ["\n"] + [chr(c) for c in range(32, 127)]
        self.itos = [self.UNK, self.BOS] + chars
        self.stoi = {s: i for i, s in enumerate(self.itos)}

    def __len__(self):
        return len(self.itos)

    def encode(self, text):
        return [self.stoi.get(c, 0) for c in text]

    def decode(self, ids):
        return "".join(self.itos[i] if i > 1 else ("" if i == 1 else "?") for i in ids)


def normalize_text(text):
    """Tabs to spaces, accents stripped (NFKD), anything else outside the vocabulary is left for <unk>."""
    text = text.replace("\r", "").expandtabs(8)
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


# ---------------------------------------------------------------- corpora
def read_fortunes(name):
    with open(os.path.join(FORTUNE_DIR, name), "rb") as f:
        raw = f.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    entries = [normalize_text(e).strip("\n") for e in text.split("\n%\n")]
    return [e for e in entries if e.strip()]


def base_corpus_files():
    names = sorted(n for n in os.listdir(FORTUNE_DIR)
                   if os.path.isfile(os.path.join(FORTUNE_DIR, n)) and "." not in n and n != BOFH_FILE)
    return names


def split_entries(entries):
    """Deterministic ~5% hold-out: every 20th entry (index % 20 == 19) is held out."""
    train = [e for i, e in enumerate(entries) if i % 20 != 19]
    held = [e for i, e in enumerate(entries) if i % 20 == 19]
    return train, held


def load_base_corpus():
    train, held = [], []
    for name in base_corpus_files():
        t, h = split_entries(read_fortunes(name))
        train += t
        held += h
    return train, held


def load_bofh_corpus():
    return split_entries(read_fortunes(BOFH_FILE))


def to_stream(tok, entries):
    """<s> entry <s> entry ... as one long id stream."""
    ids = []
    for e in entries:
        ids.append(1)
        ids.extend(tok.encode(e + "\n"))
    ids.append(1)
    return torch.tensor(ids, dtype=torch.long)


# ---------------------------------------------------------------- fast linear
# Debian's torch 1.13 uses a generic (slow) BLAS for mm; oneDNN's linear is ~10x faster on this CPU, so training
# routes every linear layer through it. The math is the same x @ W^T.
def _mk(a, b):
    return torch._C._nn.mkldnn_linear(a.contiguous().to_mkldnn(), b.contiguous().to_mkldnn()).to_dense()


class _FastLinearFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, w):
        ctx.save_for_backward(x, w)
        shape = x.shape
        return _mk(x.reshape(-1, shape[-1]), w).reshape(*shape[:-1], w.shape[0])

    @staticmethod
    def backward(ctx, gy):
        x, w = ctx.saved_tensors
        x2 = x.reshape(-1, x.shape[-1])
        gy2 = gy.reshape(-1, gy.shape[-1])
        gx = gw = None
        if ctx.needs_input_grad[0]:
            gx = _mk(gy2, w.t()).reshape(x.shape)
        if ctx.needs_input_grad[1]:
            gw = _mk(gy2.t(), x2.t())
        return gx, gw


FAST = {"on": False}


def linear(x, w):
    return _FastLinearFn.apply(x, w) if FAST["on"] else F.linear(x, w)


# ---------------------------------------------------------------- model
class LoraPair(torch.nn.Module):
    def __init__(self, in_f, out_f, r):
        super().__init__()
        self.A = torch.nn.Parameter(torch.empty(r, in_f))
        self.B = torch.nn.Parameter(torch.zeros(out_f, r))
        torch.nn.init.kaiming_uniform_(self.A, a=math.sqrt(5))  # PEFT's default init_lora_weights=True


class TinyLlama(torch.nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        h, i, v = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"]
        self.nh, self.nkv, self.hd = cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["head_dim"]
        std = cfg["initializer_range"]
        self.params = torch.nn.ParameterDict()

        def p(name, shape, init):
            t = torch.empty(*shape)
            if init == "ones":
                t.fill_(1.0)
            else:
                t.normal_(0.0, std)
            self.params[name.replace(".", "__")] = torch.nn.Parameter(t)

        p("model.embed_tokens.weight", (v, h), "normal")
        for n in range(cfg["num_hidden_layers"]):
            pre = f"model.layers.{n}."
            p(pre + "self_attn.q_proj.weight", (self.nh * self.hd, h), "normal")
            p(pre + "self_attn.k_proj.weight", (self.nkv * self.hd, h), "normal")
            p(pre + "self_attn.v_proj.weight", (self.nkv * self.hd, h), "normal")
            p(pre + "self_attn.o_proj.weight", (h, self.nh * self.hd), "normal")
            p(pre + "mlp.gate_proj.weight", (i, h), "normal")
            p(pre + "mlp.up_proj.weight", (i, h), "normal")
            p(pre + "mlp.down_proj.weight", (h, i), "normal")
            p(pre + "input_layernorm.weight", (h,), "ones")
            p(pre + "post_attention_layernorm.weight", (h,), "ones")
        p("model.norm.weight", (h,), "ones")
        p("lm_head.weight", (v, h), "normal")
        self.lora = None
        self.lora_scaling = 0.0
        self.lora_dropout = 0.0

    # names as in transformers' state dict
    def state(self):
        return {k.replace("__", "."): v for k, v in self.params.items()}

    def w(self, name):
        return self.params[name.replace(".", "__")]

    def add_lora(self, r, alpha, dropout):
        self.lora = torch.nn.ModuleDict()
        for name, t in self.state().items():
            module = name[: -len(".weight")]
            if module.split(".")[-1] in LORA_TARGETS:
                out_f, in_f = t.shape
                self.lora[module.replace(".", "__")] = LoraPair(in_f, out_f, r)
        self.lora_scaling = alpha / r
        self.lora_dropout = dropout

    def proj(self, x, module):
        y = linear(x, self.w(module + ".weight"))
        if self.lora is not None:
            pair = self.lora[module.replace(".", "__")]
            xd = F.dropout(x, self.lora_dropout, self.training) if self.lora_dropout > 0 else x
            y = y + linear(linear(xd, pair.A), pair.B) * self.lora_scaling
        return y

    def rms(self, x, name):
        xf = x.float()
        xf = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + self.cfg["rms_norm_eps"])
        return self.w(name) * xf.to(x.dtype)

    def rope(self, T, offset=0):
        d = self.hd
        inv_freq = 1.0 / (self.cfg["rope_theta"] ** (torch.arange(0, d, 2, dtype=torch.int64).float() / d))
        pos = torch.arange(offset, offset + T, dtype=torch.float32)
        freqs = torch.outer(pos, inv_freq)
        emb = torch.cat((freqs, freqs), dim=-1)
        return emb.cos(), emb.sin()

    @staticmethod
    def rotate_half(x):
        x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
        return torch.cat((-x2, x1), dim=-1)

    def forward(self, ids):
        B, T = ids.shape
        x = F.embedding(ids, self.w("model.embed_tokens.weight"))
        cos, sin = self.rope(T)
        mask = torch.full((T, T), float("-inf")).triu(1)
        rep = self.nh // self.nkv
        for n in range(self.cfg["num_hidden_layers"]):
            pre = f"model.layers.{n}."
            res = x
            h = self.rms(x, pre + "input_layernorm.weight")
            q = self.proj(h, pre + "self_attn.q_proj").view(B, T, self.nh, self.hd).transpose(1, 2)
            k = self.proj(h, pre + "self_attn.k_proj").view(B, T, self.nkv, self.hd).transpose(1, 2)
            v = self.proj(h, pre + "self_attn.v_proj").view(B, T, self.nkv, self.hd).transpose(1, 2)
            q = q * cos + self.rotate_half(q) * sin
            k = k * cos + self.rotate_half(k) * sin
            k = k.repeat_interleave(rep, dim=1)  # kv head j serves query heads j*rep .. j*rep+rep-1
            v = v.repeat_interleave(rep, dim=1)
            att = (q @ k.transpose(-1, -2)) * (self.hd ** -0.5) + mask
            att = torch.softmax(att.float(), dim=-1).to(q.dtype)
            o = (att @ v).transpose(1, 2).reshape(B, T, self.nh * self.hd)
            x = res + self.proj(o, pre + "self_attn.o_proj")
            res = x
            h = self.rms(x, pre + "post_attention_layernorm.weight")
            m = F.silu(self.proj(h, pre + "mlp.gate_proj")) * self.proj(h, pre + "mlp.up_proj")
            x = res + self.proj(m, pre + "mlp.down_proj")
        x = self.rms(x, "model.norm.weight")
        return linear(x, self.w("lm_head.weight"))

    def adapter_state(self):
        out = {}
        for key, pair in self.lora.items():
            module = key.replace("__", ".")
            out[f"base_model.model.{module}.lora_A.weight"] = pair.A.detach()
            out[f"base_model.model.{module}.lora_B.weight"] = pair.B.detach()
        return out


def scheduled_lr(base_lr, step, warmup, frac):
    """Linear warm-up over `warmup` steps, then cosine from base_lr down to a tenth of it as frac goes from 0 to 1."""
    return base_lr * (step / warmup if step <= warmup else 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * frac)))


def train_step(model, opt, params, stream, ctx, batch, gen, lr):
    """One optimiser step on `batch` random (ctx+1)-id windows of `stream`, gradients clipped to norm 1; returns the loss."""
    for g in opt.param_groups:
        g["lr"] = lr
    starts = torch.randint(0, len(stream) - ctx - 1, (batch,), generator=gen)
    windows = torch.stack([stream[s: s + ctx + 1] for s in starts.tolist()])
    logits = model(windows[:, :-1])
    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), windows[:, 1:].reshape(-1))
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(params, 1.0)
    opt.step()
    return loss


def num_params(model):
    return sum(t.numel() for t in model.state().values())


# ---------------------------------------------------------------- evaluation / sampling
@torch.no_grad()
def heldout_loss(model, stream, ctx):
    """Mean next-char loss (nats/char) over non-overlapping windows of ctx+1 ids covering the whole stream."""
    model.eval()
    total, count = 0.0, 0
    n = (len(stream) - 1) // ctx
    windows = torch.stack([stream[i * ctx: i * ctx + ctx + 1] for i in range(n)])
    for b in range(0, n, 64):
        chunk = windows[b: b + 64]
        logits = model(chunk[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), chunk[:, 1:].reshape(-1), reduction="sum")
        total += loss.item()
        count += chunk[:, 1:].numel()
    model.train()
    return total / count


@torch.no_grad()
def generate(model, tok, prompt, n, temperature, seed, ctx):
    model.eval()
    g = torch.Generator().manual_seed(seed)
    ids = [1] + tok.encode(prompt)
    for _ in range(n):
        logits = model(torch.tensor([ids[-ctx:]]))[0, -1]
        if temperature == 0:
            nxt = int(logits.argmax())
        else:
            nxt = int(torch.multinomial(torch.softmax(logits / temperature, -1), 1, generator=g))
        if nxt == 1:
            break
        ids.append(nxt)
    model.train()
    return tok.decode(ids[1:])


# ---------------------------------------------------------------- safetensors
def save_safetensors(path, tensors, metadata=None):
    header, offset, blobs = {}, 0, []
    if metadata:
        header["__metadata__"] = metadata
    for name in sorted(tensors):
        arr = np.ascontiguousarray(tensors[name].detach().cpu().float().numpy(), dtype="<f4")
        b = arr.tobytes()
        header[name] = {"dtype": "F32", "shape": list(arr.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    hj = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hj += b" " * ((8 - len(hj) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hj)))
        f.write(hj)
        for b in blobs:
            f.write(b)


def load_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32"
        s, e = info["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(data[s:e], dtype="<f4").copy()).reshape(info["shape"])
    return out


def load_base_model(model_dir=MODEL_DIR):
    with open(os.path.join(model_dir, "config.json")) as f:
        cfg = json.load(f)
    model = TinyLlama(cfg)
    weights = load_safetensors(os.path.join(model_dir, "model.safetensors"))
    with torch.no_grad():
        for name, t in model.state().items():
            t.copy_(weights[name])
    return model


def load_adapter(model, adapter_dir=ADAPTER_DIR):
    with open(os.path.join(adapter_dir, "adapter_config.json")) as f:
        acfg = json.load(f)
    model.add_lora(acfg["r"], acfg["lora_alpha"], 0.0)
    weights = load_safetensors(os.path.join(adapter_dir, "adapter_model.safetensors"))
    with torch.no_grad():
        for key, pair in model.lora.items():
            module = key.replace("__", ".")
            pair.A.copy_(weights[f"base_model.model.{module}.lora_A.weight"])
            pair.B.copy_(weights[f"base_model.model.{module}.lora_B.weight"])
    return acfg
