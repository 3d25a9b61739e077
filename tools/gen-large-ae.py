#!/usr/bin/env python3
"""Writes a large .ae file for measuring the checker's speed (docs/results.md, "Checker speed").

The file repeats a template derived from laws/ae_sgdm.ae (the AE-SGDm law, plus a rule group it
uses, a require, int/bool/vector params, when/else when/else, lp/prev/latch/noise, and a variant
'law X = Base without ...') and from cells/ame_layer.ae (a smooth cell with nets), with every
declared name, rule id, unit and group renamed per copy, so no two copies share a name and the
file checks without errors or warnings.

Modes:
  valid   (default) copies of the template as separate laws, groups and cells: a realistic
          project squeezed into one file. Checks clean (no errors, no warnings).
  onelaw  the same declarations and rules, but all inside a single law (cells omitted): one huge
          unit, which exposes any cost that grows with the square of a unit's size. Only the first
          copy's rules can be switched off (a unit switches at most 64); the others are fixed rules.
          Checks clean.
  errors  the 'valid' text with deterministic damage every few tokens (deleted, duplicated,
          swapped and inserted tokens, unbalanced brackets, unterminated strings and comments):
          a file full of syntax errors.
  soup    random tokens from the language's vocabulary: nothing parses.

Usage: python3 tools/gen-large-ae.py [--mode valid|onelaw|errors|soup] [--size BYTES] [--seed N] [--gap N] OUT.ae
No packages needed; the output depends only on the arguments.
"""

import argparse
import random
import re
import sys

LAW = r'''
// AE-SGDm (copy {K}): the seed's AEAgent.step, from laws/ae_sgdm.ae, with its names renamed.
law AeSgdm "AE-SGDm: closed-loop alpha, mu, sigma over momentum SGD (seed AEAgent)" {
  dim n;                                         // parameter count, given at construction

  param beta_mu   in [0, 1) = 0.98;
  param beta_T    in [0, 1) = 0.90;
  param beta_V    in [0, 1) = 0.95;
  param beta_S    in [0, 1) = 0.95;
  param beta_star in [0, 1) = 0.99;
  param k_p = 0.8, k_v = 0.8, k_c = 0.4;
  param gamma_lr = 0.05, gamma_mu = 0.05;
  param b_1 = 0.8, b_2 = 0.6;
  param k_s_stall = 0.5, k_s_uncert = 0.4, k_s_var = 0.4, k_s_quality = 0.2;
  param rho_star = 0.30, rho_max = 0.95, V_max_mult = 4.0;
  param gamma_star in [0, inf) = 1e-2;
  param auto_gamma: bool = true;
  param auto_gamma_warmup: int = 200;
  param eta_a = 5e-4, eta_mu = 8e-4, eta_sigma = 5e-4, eta_gamma = 1e-3;
  param max_dlog_alpha in [0, inf) = 0.10;
  param max_d_mu       in [0, inf) = 0.02;
  param max_dlog_sigma in [0, inf) = 0.10;
  param alpha_min in (0, 1] = 1e-6;
  param alpha_max = 1.0;
  param mu_min = 0.0, mu_max = 0.999;
  param sigma_min in [0, 1] = 0.0;
  param sigma_max = 1.0;
  param alpha_bar in (0, inf) = 3e-4;
  param mu_bar = 0.9;
  param tau_T_stall in [0, inf) = 0.25;
  param loss_emergency in (0, inf) = 1e8;
  param grad_emergency in (0, inf) = 1e6;
  param step_norm_max in [0, inf] = inf;
  param param_abs_max in [0, inf] = 1e6;
  param clip_grad_norm in [0, inf] = inf;
  param init_alpha = 3e-4, init_mu = 0.9, init_sigma = 0.0;
  param beta_lp in [0, 1) = 0.9;                 // additions for coverage: lp, int/bool params, require
  param trend_window: int = 2 * 5 + 1;
  param scale: real[n] = 1.0;
  require gain_ok: eta_a * k_p < 1 && beta_lp < 1;

  input loss: real;
  input grad: real[n];

  state theta: real[n];
  state m: real[n] = 0;

  coeff alpha in [alpha_min, alpha_max] log = init_alpha;
  coeff mu    in [mu_min, mu_max]           = init_mu;
  coeff sigma in [sigma_min, sigma_max]     = init_sigma;

  signal L: real, T: real, V: real, S: real, rho: real, gnorm: real, gamma: real;
  signal phase: real = 0;

  acc du_alpha = 0, du_mu = 0, du_sigma = 0;
  signal dlog_alpha = du_alpha, d_mu = du_mu, dlog_sigma = du_sigma;

  fixed rule AE1 "measurement: sanitised gradient, clamped loss, bias-corrected EMAs" {
    g0  = sanitize(grad, grad_emergency) * scale;
    gn0 = norm(g0);
    g   = gn0 > clip_grad_norm && gn0 > 0 ? g0 * (clip_grad_norm / gn0) : g0;
    L   = clamp(finite_or(loss, loss_emergency), -loss_emergency, loss_emergency);
    T   = ema(beta_T, L - prev(L, L));
    ld  = clamp(finite_or(L - ema(beta_mu, L), 0), -1e6, 1e6);
    V   = ema(beta_V, ld * ld + 1e-12);
    sum_g2 = sum(g * g);
    gmean  = sum(g) / n;
    S      = ema(beta_S, max(sum_g2 / n - gmean * gmean, 0) + 1e-12);
    gnorm  = sqrt(sum_g2) + 1e-12;
    mnorm  = norm(m) + 1e-12;
    rho    = mnorm > 1e-12 ? clamp(dot(g, m) / (gnorm * mnorm), -1, 1) : 0;
    Vstar  = max(ema(beta_star, V), 1e-12);
    Sstar  = max(ema(beta_star, S), 1e-12);
  }

  use Shared;

  rule brake "emergency brake on extreme loss or gradient norm" {
    when abs(L) > loss_emergency || gnorm > grad_emergency || !isfinite(gnorm) {
      alpha' = max(alpha_min, alpha' / 10);
      mu'    = min(mu', 0.5);
    } else when step < trend_window {
      mu' = min(mu', mu_max);
    } else {
      alpha' = alpha' * 1;
    }
  }

  rule AE8 "gauge: effective step alpha*|g| toward gamma*, calibrated once after warm-up" {
    gtrack = ema(0.99, abs(alpha' * gnorm));
    gamma_target = latch(auto_gamma && step > auto_gamma_warmup, 0.8 * max(gtrack, 1e-12), gamma_star);
    du_alpha += eta_gamma * ((gamma_target - alpha' * gnorm) / (gamma_target + 1e-12));
  }

  rule AE2 "constitutive drive of log alpha and of mu" {
    du_alpha += eta_a * (k_p * tanh(-T) - k_v * softplus(V / Vstar) + k_c * (rho - rho_star)
                         - gamma_lr * (log(max(alpha', 1e-12)) - log(alpha_bar)));
    du_mu    += eta_mu * (b_1 * tanh(rho - rho_star) - b_2 * softplus(V / Vstar) - gamma_mu * (mu' - mu_bar));
  }

  rule AE4 "noise law: exploration temperature up on stall and uncertainty, down on variance" {
    stall = abs(T) < tau_T_stall * sqrt(Vstar) ? 1 : 0;
    A     = 0.5 * (rho + 1);
    du_sigma += eta_sigma * (k_s_stall * stall + k_s_uncert * (S / Sstar) - k_s_var * (V / Vstar) + k_s_quality * (A - 0.5));
  }

  rule AE6 "budget: per-step change of each coefficient capped" {
    dlog_alpha = max_dlog_alpha > 0 ? clamp(du_alpha, -max_dlog_alpha, max_dlog_alpha) : du_alpha;
    d_mu       = max_d_mu > 0 ? clamp(du_mu, -max_d_mu, max_d_mu) : du_mu;
    dlog_sigma = max_dlog_sigma > 0 ? clamp(du_sigma, -max_dlog_sigma, max_dlog_sigma) : du_sigma;
  }

  rule AE3 "evolution: multiplicative in log space, projected onto the bounds" {
    alpha' = clamp(exp(log(max(alpha', alpha_min)) + dlog_alpha), alpha_min, alpha_max);
    mu'    = clamp(mu' + d_mu, mu_min, mu_max);
    sigma' = clamp(exp(log(max(sigma', sigma_min + 1e-16)) + dlog_sigma), sigma_min, sigma_max);
  }

  rule AE5 "resonance clamp: shrink alpha on a variance spike or a phase lock" {
    when V > V_max_mult * Vstar || abs(rho) > rho_max {
      alpha' = max(alpha_min, alpha' / 1.25);
    }
  }

  update "momentum SGD step with step-norm cap, noise and parameter clamp" {
    m'     = mu' * m + (1 - mu') * g;
    upd    = -alpha' * m';
    sn     = norm(upd);
    capped = sn > step_norm_max && sn > 0 ? upd * (step_norm_max / sn) : upd;
    theta' = theta + capped + (sigma' > 0 ? sigma' * noise(n) : 0);
    theta' = param_abs_max > 0 && isfinite(param_abs_max) ? clamp(theta', -param_abs_max, param_abs_max) : theta';
    gamma  = alpha' * gnorm;
  }
}

law AeSgdmPlain "AE-SGDm without the resonance clamp and the gauge" = AeSgdm without AE5, AE8;
'''

GROUP = r'''
group Shared "phase tracking, written once (copy {K})" {
  rule AE7 "phase: low-passed loss trend against its previous value" {
    trend = lp(beta_lp, T);
    phase = trend - prev(trend, 0) > 0 ? 1 : -1;
    du_mu += 0 * phase;
  }
}
'''

CELL = r'''
// AMELayer (copy {K}), from cells/ame_layer.ae, with its names renamed.
smooth cell AmeLayer "AMELayer: AMECell (drift, noise, dither, macro; coefficient feedback) and readout" {
  dim input_dim   = 8;
  dim hidden_dim  = 32;
  dim coeff_dim   = 16;
  dim hidden_size = 64;

  input x:   real[input_dim];
  input eps: real[hidden_dim];

  state theta: real[hidden_dim] = 0;
  state C:     real[coeff_dim]  = 0;

  net f_net:     mlp(input_dim + coeff_dim -> hidden_size -> hidden_dim, tanh);
  net sigma_net: mlp(coeff_dim -> hidden_size -> hidden_dim, tanh) named l1, l2;
  net d_net:     mlp(coeff_dim -> hidden_size -> hidden_dim, tanh);
  net m_net:     mlp(coeff_dim -> hidden_size -> hidden_dim, tanh);
  net g_net:     mlp(hidden_dim + coeff_dim -> hidden_size -> coeff_dim, tanh);
  net readout:   linear(hidden_dim -> input_dim);

  signal y: real[input_dim];

  rule drift "drift: f_net on [x, C]" {
    theta' = theta' + f_net(concat(x, C));
  }

  rule noise "reparameterised noise" {
    sigma  = softplus(sigma_net(C)) + 1e-3;
    theta' = theta' + sigma * eps;
  }

  rule dither "dither: sin(d_net(C))" {
    theta' = theta' + sin(d_net(C));
  }

  rule macro "macro shift: tanh(m_net(C))" {
    theta' = theta' + tanh(m_net(C));
  }

  update "coefficient feedback from the new hidden state, and the readout" {
    C' = C + g_net(concat(theta', C));
    y  = readout(theta');
  }
}
'''

KEYWORDS = set("""law cell group use rule update smooth fixed dim param input state coeff signal acc net
require in log when else true false inf real int bool named without""".split())
BUILTINS = set("""tanh sigmoid softplus exp log log1p sqrt sin cos relu abs sign softabs clamp softclamp min max
smoothmax smoothmin lerp isfinite finite_or sanitize sum mean dot norm cosine logsumexp softmax concat
ema lp prev latch noise step pi mlp linear""".split())

TOKEN = re.compile(r'//[^\n]*|"(?:[^"\\\n]|\\.)*"|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|[A-Za-z_][A-Za-z_0-9]*|[^A-Za-z_0-9"/]+|/')


def rename(template, k):
    """Appends _k to every name that is not a keyword or builtin (outside strings and comments)."""
    out = []
    for tok in TOKEN.findall(template.replace("{K}", str(k))):
        if (tok[0].isalpha() or tok[0] == "_") and tok not in KEYWORDS and tok not in BUILTINS:
            out.append(tok + "_" + str(k))
        else:
            out.append(tok)
    return "".join(out)


HEADER = "// Generated by tools/gen-large-ae.py --mode {mode} --size {size} --seed {seed} --gap {gap}; do not edit.\n"


def valid(size, with_cells=True):
    parts, total, k = [], 0, 0
    while total < size:
        chunk = rename(GROUP, k) + rename(LAW, k) + (rename(CELL, k) if with_cells else "")
        parts.append(chunk)
        total += len(chunk.encode("utf-8"))
        k += 1
    return "".join(parts)


def onelaw(size):
    """All copies' members in one law: the law's header once, then each copy's members."""
    body_start = LAW.index("{\n") + 2
    body_end = LAW.rindex("}")
    members = LAW[body_start:body_end]
    parts, groups, total, k = [], [], 0, 0
    while total < size:
        # one unit has one update rule: later copies turn theirs into a fixed rule with its own id; and
        # the C# backend switches at most 64 rules of a unit (AE0080 above that), so only the first
        # copy's rules, and its group's, can be switched off: the law stays one that checks clean
        fixed = (lambda text: text) if k == 0 else (lambda text: text.replace('  rule ', '  fixed rule '))
        chunk = rename(fixed(members if k == 0 else members.replace('  update "', '  fixed rule Upd "')), k)
        parts.append(chunk)
        groups.append(rename(fixed(GROUP), k))
        total += len(chunk.encode("utf-8")) + len(groups[-1].encode("utf-8"))
        k += 1
    return "".join(groups) + 'law Huge "every copy in one unit" {\n' + "".join(parts) + "}\n"


VOCAB = (sorted(KEYWORDS) + sorted(BUILTINS) +
         "{ } ( ) [ ] , ; : . ' ? -> = += + - * / % ^ < <= > >= == != && || !".split() +
         ["x", "alpha", "theta", "\u03b8", "\u03b1", "\u03c1", "1", "0.5", "1e-3", "1e", "1e400", "3x",
          '"title"', '"unterminated', "/* c */", "// c\n", "#", "@", "\\", "\r", "\r\n"])


def damage(text, rng, gap):
    """Damages the text about every `gap` tokens, deterministically for a seed."""
    # each token carries the white space before it, so deleting or moving tokens never glues two together
    tokens = re.findall(r'\s*(?://[^\n]*|[A-Za-z_][A-Za-z_0-9]*|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|->|\+=|<=|>=|==|!=|&&|\|\||.)|\s+$', text, re.S)
    out, i = [], 0
    while i < len(tokens):
        step = rng.randint(max(1, gap // 5), gap * 9 // 5)
        out.extend(tokens[i:i + step])
        i += step
        op = rng.randrange(8)
        if op == 0:
            i += rng.randint(1, 6)                                    # delete tokens
        elif op == 1:
            out.extend(tokens[i:i + rng.randint(1, 6)])               # duplicate tokens
        elif op == 2 and i + 2 < len(tokens):
            tokens[i], tokens[i + 2] = tokens[i + 2], tokens[i]       # swap tokens
        elif op == 3:
            out.append(" " + rng.choice(VOCAB) + " ")                 # insert a token
        elif op == 4:
            out.append(rng.choice(["(", "((", "[", ")", "]", "}"]))  # unbalance brackets (a stray '{' is rarer: see below)
        elif op == 5:
            out.append(rng.choice([';', '"unterminated string\n', "/* closed comment */", "*/", "'"]))
        elif op == 6:
            out.append(rng.choice(["3x", "1e", "1e400", "1..2", "#", "\u00a7"]) if rng.random() < 0.99 else "{")
        # op 7: no damage this time
    # one unterminated block comment, at the very end (earlier, it would swallow the rest)
    return "".join(out) + "\n/* unterminated"


def soup(size, rng):
    out, total = [], 0
    while total < size:
        tok = rng.choice(VOCAB) + rng.choice([" ", " ", " ", "\n", ""])
        out.append(tok)
        total += len(tok.encode("utf-8"))
    return "".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mode", choices=["valid", "onelaw", "errors", "soup"], default="valid")
    ap.add_argument("--size", type=int, default=1_000_000, help="approximate size in bytes (default 1000000)")
    ap.add_argument("--seed", type=int, default=1, help="seed for the errors and soup modes")
    ap.add_argument("--gap", type=int, default=22, help="errors mode: average number of tokens between two damaged places (default 22)")
    ap.add_argument("out")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    header = HEADER.format(mode=args.mode, size=args.size, seed=args.seed, gap=args.gap)
    if args.mode == "valid":
        text = valid(args.size - len(header))
    elif args.mode == "onelaw":
        text = onelaw(args.size - len(header))
    elif args.mode == "errors":
        text = damage(valid(args.size - len(header)), rng, args.gap)
    else:
        text = soup(args.size - len(header), rng)
    with open(args.out, "w", encoding="utf-8", newline="\n") as f:
        f.write(header + text)
    print(f"{args.out}: {len((header + text).encode('utf-8'))} bytes, {(header + text).count(chr(10))} lines", file=sys.stderr)


if __name__ == "__main__":
    main()
