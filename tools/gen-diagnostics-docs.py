#!/usr/bin/env python3
"""Generates docs/diagnostics.md: every example is run through the ae CLI and its exact output embedded.

Usage: dotnet build AE.Cli && python3 tools/gen-diagnostics-docs.py
tests/AE.Dsl.Tests/Diagnostics/DiagnosticTests.cs re-checks every example of the page against the checker."""
import os, re, subprocess, sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AE = os.path.join(REPO, "AE.Cli/bin/Debug/net10.0/ae")
WORK = os.path.join(os.environ.get("TMPDIR", "/tmp"), "ae-diagnostics-docs")
os.makedirs(WORK, exist_ok=True)

catalog_src = open(os.path.join(REPO, "AE.Dsl/Diagnostics/DiagnosticCatalog.cs")).read()
CATALOG = [(m.group(2), "error" if m.group(1) == "E" else "warning", m.group(3))
           for m in re.finditer(r'\b([EW])\("(AE\d{4})", "([^"]*)"', catalog_src)]
CATALOG.sort()


def run(code, strict=False):
    path = os.path.join(WORK, "example.ae")
    with open(path, "w", newline="\n") as f:
        f.write(code)
    out = subprocess.run([AE, "check", "example.ae"], cwd=WORK, capture_output=True, text=True).stdout
    # AE0080 is the C# backend's, not the checker's: examples of laws with nets are about the checker.
    lines = [l for l in out.splitlines() if l and not re.match(r"^\d+ files? checked", l) and (strict or " AE0080: " not in l)]
    return lines


def run_bytes(data):
    """What `ae check` prints for a file of these bytes (not text: no ```ae block can hold it)."""
    path = os.path.join(WORK, "example.ae")
    with open(path, "wb") as f:
        f.write(data)
    out = subprocess.run([AE, "check", "example.ae"], cwd=WORK, capture_output=True, text=True).stdout
    return [l for l in out.splitlines() if l and not re.match(r"^\d+ files? checked", l)]


def L(update, members="", head="law L"):
    body = "\n".join("    " + l if l else "" for l in update.split("\n"))
    return head + " {\n" + members + "  coeff a in [0, 1] = 0.5;\n  update {\n" + body + "\n  }\n}\n"


problems = []


def fail(id_, code, note=None):
    """A failing example: the code and what the checker prints for it."""
    lines = run(code)
    if not any(f" {id_}: " in l for l in lines):
        problems.append(f"{id_}: failing example does not report it:\n{code}\n" + "\n".join(lines))
    s = "```ae\n" + code + "```\n\nThe checker prints:\n\n```text\n" + "\n".join(lines) + "\n```\n"
    return s


def fix(id_, code):
    lines = run(code, strict=True)   # a fix checks clean: no error and no warning, the C# backend's AE0080 included
    if lines:
        problems.append(f"{id_}: fixed example is not clean:\n{code}\n" + "\n".join(lines))
    return "```ae\n" + code + "```\n"



def T(s):
    """Formats like an f-string (3.11 forbids backslashes in f-string expressions)."""
    res = []; i = 0
    while i < len(s):
        if s.startswith("{{", i): res.append("{"); i += 2; continue
        if s.startswith("}}", i): res.append("}"); i += 2; continue
        if s[i] == "{":
            j = i + 1
            while True:
                j = s.index("}", j)
                try:
                    code = compile(s[i+1:j], "<doc>", "eval")
                    break
                except SyntaxError:
                    j += 1
            res.append(str(eval(code)))
            i = j + 1
            continue
        res.append(s[i]); i += 1
    return "".join(res)

E = {}  # id -> markdown body (after the heading and severity)

# ---------------------------------------------------------------- lexical and syntax

E["AE0001"] = T(r"""
The lexer met a character that is not part of any token: `$`, `#`, `@`, `×`, a typographic quote or
dash, an emoji, or a byte sequence that is not UTF-8 (read as U+FFFD). The character is reported
and skipped, so the rest of the file is still checked. The message shows the character and its code
point, with invisible characters (controls, zero-width and format characters, separators other than
the non-breaking space) written as `\uXXXX`, because the usual culprits are invisible or look like
ASCII (a zero-width space, a non-breaking hyphen, `’` for `'`). Operators are ASCII so that a file
means the same in every editor and font; so are the digits of a number (`٣` or `３` is this error,
not a number). Identifiers may still use any Unicode letter (`θ`, `α`), and a non-breaking space
counts as white space.

{fail("AE0001", L("a' = a * 0.5; $"))}
Fix: delete the character (or replace a look-alike by its ASCII operator: `×` by `*`).

{fix("AE0001", L("a' = a * 0.5;"))}""")

E["AE0002"] = T(r"""
A block comment `/*` has no closing `*/` before the end of the file (reported at the `/*`; the
rest of the file is comment), or a string has no closing `"` on its line: strings (unit and rule
titles) cannot span lines, so the string ends at the end of the line.

{fail("AE0002", L("a' = a * 0.5;") + "/* trailing note\n")}
Fix: close the comment.

{fix("AE0002", L("a' = a * 0.5;") + "/* trailing note */\n")}
An unterminated title:

{fail("AE0002", L("a' = a * 0.5;", head='law L "AE law with a title' + chr(10)).replace(chr(10) + " {", chr(10) + "{"))}
Fix: close the string on the same line.

{fix("AE0002", L("a' = a * 0.5;", head='law L "AE law with a title"'))}""")

E["AE0003"] = T(r"""
A number that cannot be read. There are four cases, each named in the message:

- an exponent without digits: `1e`, `2e-`;
- letters glued to a number: `3x`, `1e5f`, `0x10`, `1_000` (the language has no implicit
  product, no suffixes, no hex and no digit separators);
- a literal too large for a 64-bit float: `1e999` (write `inf` for infinity);
- a literal too small for one, that would silently read as 0: `1e-400` (write `0` if 0 is meant).

The number is read as 0 so that checking goes on (a check of that 0, such as a param's range or a
dim's size, may add an error at the same place: fix the number first).

{fail("AE0003", L("a' = a * 3a;"))}
Fix: write the product.

{fix("AE0003", L("a' = a * 3 * a;"))}
{fail("AE0003", L("a' = a * 1e;"))}
{fix("AE0003", L("a' = a * 1e-3;"))}
{fail("AE0003", L("a' = a * 1e999;"))}
{fix("AE0003", L("a' = a * 1e300;"))}""")

E["AE0004"] = T(r"""
The parser expected something else at this token: the message says what it expected and what it
found, and is reported **at the token found** (so a missing `;` is reported at the token after the
statement). After a syntax error the parser skips to the next `;`, `}}` or declaration keyword and
goes on, so one run reports every syntax error, once each, and the rest of the file is still
checked; the statement (or `when` condition) the error is in is not type-checked, since what was
parsed of it is not what was meant (`s = loss > 0 and step > 1 ? 1 : 0;` is the one error at `and`, not
also "must be real, but this is bool" for `loss > 0`). A `when` condition cut short is the one error,
and the block after it is still the `when`'s: its statements are checked. Other languages' spellings
say how they are written here: `and` and `or` (`&&`, `||`), `**` (`^`), `=` in a `when` condition
(`==`), `else if` (`else when`, and read as such); `**` is then read as `^`. A misspelt keyword
(`coef a in [0, 1] = 0.5;`, `fixed rul R`, `updte`, `whn a > 0`) is named ("did you mean
'coeff'?") and read as meant where the rest fits it; bounds without their `in` are one error, not
also "no bounds"; a `;` missing before the next statement and an opening brace missing after a rule's header
are one error each, the statements read as meant; a reserved word used as a name is said once, and
its later uses read as that name. A unit with such an error gets no AE0060/AE0061 warnings (the
value that did not parse has no interval to warn from). Common cases, each with its own wording: a missing `;`, `)` or `}}`; a param without a
default (params are overridable at construction, but need a default); an input without a type (the
host gives it each step, so its type must be written); a declaration inside a `group` (groups hold
rules only); a reserved word used as a name (`dim coeff = 16;`).

{fail("AE0004", L("a' = a * 0.5"))}
Fix:

{fix("AE0004", L("a' = a * 0.5;"))}
A param needs a default:

{fail("AE0004", L("a' = a * k;", "  param k;\n"))}
{fix("AE0004", L("a' = a * k;", "  param k = 0.5;\n"))}
A group holds rules (and `use`) only; its rules are bound against the declarations of the law
that uses it:

{fail("AE0004", '''group Damping {
  param k = 0.5;
  rule D { a' = a' * k; }
}
law L {
  use Damping;
  coeff a in [0, 1] = 0.5;
  update {
    a' = a';
  }
}
''')}
{fix("AE0004", '''group Damping {
  rule D { a' = a' * k; }
}
law L {
  param k = 0.5;
  use Damping;
  coeff a in [0, 1] = 0.5;
  update {
    a' = a';
  }
}
''')}
A reserved word where a name belongs:

{fail("AE0004", L("a' = a * 0.5 + 0 * sum(x);", "  dim coeff = 16;\n  input x: real[coeff];\n").replace("input x: real[coeff];", "input x: real[16];"))}
{fix("AE0004", L("a' = a * 0.5 + 0 * sum(x);", "  dim width = 16;\n  input x: real[width];\n"))}""")

deep = L("a' = " + "(" * 300 + "a" + ")" * 300 + ";")
E["AE0005"] = T(r"""
An expression, a block or a chain of group `use`s is nested deeper than the checker allows:

- **200 levels** of nesting: brackets, nested `when` blocks, `else when` chains, and right-nested
  `c ? a : (c2 ? ...)` and `^`;
- **400 levels** of expression-tree depth: a long operator chain such as `a + a + ... + a`;
- **32 levels** of groups that `use` groups.

Every phase of the checker and of the generators walks the program recursively; bounding the
nesting guarantees that no input, however large or hostile, can overflow the stack, and real laws
never come near these limits. The over-deep part is skipped and reported, so the rest of the file
is still checked.

<!-- abbreviated -->
```ae
law L {{
  coeff a in [0, 1] = 0.5;
  update {{
    a' = ((((((((( ... 300 levels ... a ... ))))))))));
  }}
}}
```

The checker prints (for the full example below):

```text
{chr(10).join(run(deep))}
```

<details><summary>The full example</summary>

{fail("AE0005", deep)}
</details>

Fix: split the expression into named values, each one shallow; that is also what makes long
formulas readable.

{fix("AE0005", L("h = ((a));" + chr(10) + "a' = (h * 0.5);"))}
A long chain, and its fix:

{fail("AE0005", L("a' = " + " + ".join(["a"] * 402) + ";"))}
{fix("AE0005", L("h1 = " + " + ".join(["a"] * 201) + ";" + chr(10) + "h2 = " + " + ".join(["a"] * 201) + ";" + chr(10) + "a' = h1 + h2;"))}""")

E["AE0006"] = T(r"""
The file is not text: it holds a NUL byte, or most of its first 4096 bytes are neither UTF-8 nor
ordinary white space. That is an image, an archive, a compiled file or a UTF-16 text named `.ae`
(often one that a glob such as `**/*.ae` caught). Read as text, 4 KiB of random bytes gave about
2,000 lines of AE0001 and AE0004; instead the file gets this one error, at its first offending
byte, and nothing else: it is not parsed. The files checked with it are checked as usual.

The rule is the one git and Perl's `-B` use: a NUL byte anywhere, or more than 30% of the first
4096 bytes made of bytes of invalid UTF-8 and of control characters other than tab, line feed,
vertical tab, form feed, carriage return and escape. A text file with one stray byte that is not
UTF-8 is still text: that byte reads as U+FFFD and is AE0001 (inside a comment it is part of the
comment, as any character there, and nothing is reported). The source generator gets each file
as text that Roslyn has already decoded, so there only a NUL character makes a file binary, and
the message counts characters: `(character U+0000 at offset 7)`.

A file with a NUL byte, made with `printf 'law L {{\0}}\n' > example.ae`:

```text
{chr(10).join(run_bytes(b"law L {\0}\n"))}
```

Fix: name the right file; if it was meant to be an `.ae` file, save it as UTF-8 text.

{fix("AE0006", L("a' = a * 0.5;"))}
Letters outside ASCII are text, and so is U+FFFD itself when it is written in UTF-8:

{fix("AE0006", '''law L {
  coeff θ in [0, 1] = 0.5;   // � is U+FFFD, written in UTF-8
  update {
    θ' = θ * 0.5;
  }
}
''')}""")

many = L("a' = a * 0.5; " + "$" * 120)
many_out = run(many)
E["AE0007"] = T(r"""
A file has more than 100 errors: the first 100 are listed, and this one line stands for the rest,
at the place of the 101st, counting the errors (and the warnings) it hides. Past that many errors
the file is seldom what its author meant (not an AE file, a merge gone wrong, a missing `}}` early
on), and the first errors are the ones to fix; the limit keeps the check of such a file short, in a
terminal and in an IDE's error list. Each file has its own count. `ae check` and the source
generator apply the same limit (it is applied where both get their diagnostics,
`AeCompiler.Check`); the check fails as for any error, and `ae check`'s summary line counts this
line as one error.

<!-- abbreviated -->
```ae
law L {{
  coeff a in [0, 1] = 0.5;
  update {{
    a' = a * 0.5; $$$$$$ ... 120 dollar signs ... $$$$$$
  }}
}}
```

The checker prints (for the full example below):

```text
{chr(10).join(many_out[:3] + ["..."] + many_out[-2:])}
```

<details><summary>The full example</summary>

{fail("AE0007", many)}
</details>

Fix: fix the errors that are listed (here: delete the `$` signs) and check again.

{fix("AE0007", L("a' = a * 0.5;"))}""")

# ---------------------------------------------------------------- names

E["AE0010"] = T(r"""
A name that is not declared in the unit, not a value defined by a rule, and not a built-in (`step`,
`pi`, the functions). When a declared name, a rule-defined value, a built-in function or a net is
close in spelling, the message suggests it. Also reported for an unknown function, for the target
of `x' = ...` or `a += ...`, and for a name in a dimension.

{fail("AE0010", L("a' = a * gian;", "  param gain = 0.5;\n"))}
With the typo, `gain` is never read, but the checker does not also call it unused: the name it
suggests is the one the typo hides.

Fix: correct the spelling (or declare the name).

{fix("AE0010", L("a' = a * gain;", "  param gain = 0.5;\n"))}
An unknown function:

{fail("AE0010", L("a' = tanhh(a);"))}
{fix("AE0010", L("a' = tanh(a);"))}""")

E["AE0011"] = T(r"""
A name is declared twice. Each name is declared once per unit: dims, params, inputs, states,
coefficients, signals, accumulators and nets share one namespace, and a value defined by a rule
(`h = ...;`) is defined once for all rules of the unit. Law, cell and group names are unique
among all files checked together. The message gives the position of the first declaration. The
built-in values `step` and `pi` cannot be declared either.

{fail("AE0011", L("a' = a * k;", "  param k = 0.5;\n  param k = 0.7;\n"))}
Fix: rename or remove one of them.

{fix("AE0011", L("a' = a * k * k2;", "  param k = 0.5;\n  param k2 = 0.7;\n"))}
A value defined twice (a rule-defined value is one value per step, not a variable):

{fail("AE0011", L("h = a * 0.5;" + chr(10) + "h = h * 0.5;" + chr(10) + "a' = h;"))}
{fix("AE0011", L("h = a * 0.5;" + chr(10) + "h2 = h * 0.5;" + chr(10) + "a' = h2;"))}
Two unit names that differ but whose C# types would not: a law's population type is its name with
`Population` appended, a law named like a member of the generated type (`Step`, `Options`) is
`StepLaw`, a cell `T` is `T_`:

{fail("AE0011", L("a' = a * 0.5;") + L("a' = a * 0.25;", head="law LPopulation"))}
{fix("AE0011", L("a' = a * 0.5;") + L("a' = a * 0.25;", head="law LSlow"))}""")

E["AE0012"] = T(r"""
A value is read above the statement that defines it. Rules run in the order written (the rules of a
`use` at the place of the `use`), and so do the statements inside them: this is the order of
evaluation of the seed, made explicit, and the checker rejects any read that would see a value not
computed yet. The message gives the position of the definition.

{fail("AE0012", L("a' = a * s;" + chr(10) + "s = a * 0.5;", "  signal s = 0;\n"))}
Fix: move the definition above the use (or the rule that defines it above the rule that reads it).
For last step's value, use a state, or `prev(x, init)` of a value defined earlier.

{fix("AE0012", L("s = a * 0.5;" + chr(10) + "a' = a * s;", "  signal s = 0;\n"))}""")

E["AE0013"] = T(r"""
A definition depends on itself. Three situations:

- params and dims whose defaults, ranges or sizes form a cycle (`param p = q * 2; param q = p / 2;`):
  each member is reported, with the whole cycle;
- a value defined in terms of itself in a rule (`h = h + a;`): a step's value cannot depend on
  itself; for a value that carries over from step to step, use a `state`;
- rule groups that `use` each other: reported at the `use` that closes the cycle.

{fail("AE0013", L("a' = a * p;", "  param p = q * 2;\n  param q = p / 2;\n"))}
Fix: give one of them a value of its own.

{fix("AE0013", L("a' = a * p;", "  param p = q * 2;\n  param q = 0.25;\n"))}
A running value is state, updated through its next value:

{fail("AE0013", L("h = h + a;" + chr(10) + "a' = clamp(h, 0, 1);"))}
{fix("AE0013", L("h' = h + a;" + chr(10) + "a' = clamp(h, 0, 1);", "  state h: real = 0;\n"))}
A cycle of groups:

{fail("AE0013", '''group G {
  use H;
  rule R { a' = a' * 0.5; }
}
group H {
  use G;
  rule S { a' = a' * 0.5; }
}
law L {
  use G;
  coeff a in [0, 1] = 0.5;
  update {
    a' = a';
  }
}
''')}
{fix("AE0013", '''group G {
  use H;
  rule R { a' = a' * 0.5; }
}
group H {
  rule S { a' = a' * 0.5; }
}
law L {
  use G;
  coeff a in [0, 1] = 0.5;
  update {
    a' = a';
  }
}
''')}""")

E["AE0014"] = T(r"""
A call or a net declaration that cannot be right:

- a function called with the wrong number of arguments: the message shows its signature;
- a call of something that is not a function or a net (`k(2)` with `k` a param);
- a filter rate (`ema`, `lp`) outside [0, 1): the filter would not be stable; in a cell, a rate that reads a
  trained (real) param and can leave [0, 1) within the param's declared range;
- a net declaration with an unknown kind (only `mlp` and `linear`), an unknown activation (`tanh
  relu sigmoid softplus sin cos`), an `mlp` with hidden layers but no activation, a `linear` net
  with an activation or a hidden layer, a single width, or a number of layer names that differs
  from the number of layers.

{fail("AE0014", L("a' = clamp(a, 0);"))}
Fix: pass the arguments the signature asks for.

{fix("AE0014", L("a' = clamp(a, 0, 1);"))}
A filter rate outside [0, 1):

{fail("AE0014", L("a' = ema(beta, a);", "  param beta = 1.5;\n"))}
{fix("AE0014", L("a' = ema(beta, a);", "  param beta in [0, 1) = 0.9;\n"))}
A cell trains its real params, keeping each in its declared range only: a filter rate that reads one must lie in
[0, 1) over the ranges, not only at the defaults (a law's params are fixed for a run, and checked when it is made):

{fail("AE0014", L("a' = ema(beta, a);", "  param beta in [0, 1] = 0.9;\n", head="cell L"))}
{fix("AE0014", L("a' = ema(beta, a);", "  param beta in [0, 1) = 0.9;\n", head="cell L"))}
A net declaration:

{fail("AE0014", L("a' = clamp(sum(f(a)), 0, 1);", "  net f: mlp(1 -> 4 -> 1);\n"))}
{fix("AE0014", L("a' = clamp(sum(f(a)), 0, 1);", "  net f: mlp(1 -> 4 -> 1, tanh);\n", head="cell L"))}""")

E["AE0015"] = T(r"""
An assignment that the kind of its target does not allow. Each kind of name changes in one way
only, so that every step is a well-defined function of the previous state:

| target | how it changes |
| --- | --- |
| param, dim, input, net | never assigned (params and dims are fixed at construction, inputs come from the host) |
| state, coefficient | only through its next value: `x' = ...;` |
| accumulator | only by contributions: `acc += ...;` |
| signal, rule-defined value | defined once: `s = ...;` (they have no next value) |

Inside `when`, a definition (`h = ...;`) is also AE0015: on the path where the condition is false the
value would be undefined. Refine next values and accumulators inside `when`, and compute values
before it (with `c ? a : b` where they depend on the condition).

{fail("AE0015", L("k = a;" + chr(10) + "a' = a * k;", "  param k = 0.5;\n"))}
Fix: define a new value (params are set at construction).

{fix("AE0015", L("h = a * k;" + chr(10) + "a' = h;", "  param k = 0.5;\n"))}
State and coefficients change through their next value, `+=` is for accumulators:

{fail("AE0015", L("x += a;" + chr(10) + "a' = a * 0.5;", "  state x: real = 0;\n"))}
{fix("AE0015", L("x' = x + a;" + chr(10) + "a' = a * 0.5;", "  state x: real = 0;\n"))}
A definition inside `when`:

{fail("AE0015", L("when a > 0.5 {" + chr(10) + "  h = a * 0.5;" + chr(10) + "  a' = a * 0.5;" + chr(10) + "}"))}
{fix("AE0015", L("h = a > 0.5 ? a * 0.5 : a;" + chr(10) + "a' = h;"))}""")

E["AE0016"] = T(r"""
`use G;` names a rule group that no file of the check declares. Groups are visible across all files
checked together, and a command looks for a group none of its files declares in the other `.ae` files of
their folders; a group in another folder needs its file named along with this one
(`ae check laws/*.ae groups/*.ae`). A close name is suggested.

{fail("AE0016", '''group Damping {
  rule D { a' = a' * 0.5; }
}
law L {
  use Dampng;
  coeff a in [0, 1] = 0.5;
  update {
    a' = a';
  }
}
''')}
The warning is a consequence of the typo: `Damping` is indeed used by nothing.

Fix: correct the name (or check the file that declares the group too).

{fix("AE0016", '''group Damping {
  rule D { a' = a' * 0.5; }
}
law L {
  use Damping;
  coeff a in [0, 1] = 0.5;
  update {
    a' = a';
  }
}
''')}""")

E["AE0017"] = T(r"""
A signal is declared, but no rule defines it and it has no neutral value, so it has no value at all.
The host reads every signal after each step.

{fail("AE0017", L("a' = a * s;", "  signal s: real;\n"))}
Fix: define it in a rule, or give it a value.

{fix("AE0017", L("s = a * 0.5;" + chr(10) + "a' = a * s;", "  signal s: real;\n"))}
{fix("AE0017", L("a' = a * s;", "  signal s = 0.5;\n"))}""")

E["AE0018"] = T(r"""
A name contains two underscores in a row. Generated code (C#, OpenCL) makes up its own names from the
file's names joined by `__` (`alpha__next`, `__st_m_f64`), so the language keeps `__` for them: no name
of a `.ae` file can then clash with one the compiler made up. It is reported once per name, where the
name first appears; a single `_` anywhere in a name is fine.

{fail("AE0018", L("a' = a * k__max;", "  param k__max = 0.5;\n"))}
Fix: rename it.

{fix("AE0018", L("a' = a * k_max;", "  param k_max = 0.5;\n"))}""")

E["AE0019"] = T(r"""
A name is longer than 255 characters. Generated code carries each name inside longer ones (a
property's backing field, `__st_NAME_f32`), and .NET keeps names of at most 1023 bytes of UTF-8, up to
three bytes a character: a longer name would check and then fail to compile. It is reported once per
name, where the name first appears, showing its first 24 characters.

{fail("AE0019", L("a' = a * " + "k" * 256 + ";", "  param " + "k" * 256 + " = 0.5;\n"))}
Fix: shorten it.

{fix("AE0019", L("a' = a * k;", "  param k = 0.5;\n"))}""")

# ---------------------------------------------------------------- types and shapes

E["AE0020"] = T(r"""
A value has the wrong scalar kind (`real`, `int`, `bool`) for where it is used: a bool in
arithmetic (write `c ? 1 : 0`), a number as a condition (`when`, `?:`, `&&`, `||`, `!`: compare it,
`x > 0`), `==` between a number and a bool, branches of `?:` or `latch` of different kinds, a value
of the wrong kind for a state, coefficient, signal or accumulator, a real default for an `int`
param or one beyond ±2^53 (the integers a float64 holds exactly), a coefficient declared `int` or
`bool` (coefficients are real), a bool accumulator, a net used as a value, a `require` condition that is not a bool. A param default outside the param's
declared range is also AE0020, and so are a state's or coefficient's initial value outside its
bounds and a range on a bool.

{fail("AE0020", L("a' = a * on;", "  param on: bool = true;\n"))}
Fix: turn the condition into a number.

{fix("AE0020", L("a' = a * (on ? 1 : 0);", "  param on: bool = true;\n"))}
A default outside the declared range:

{fail("AE0020", L("a' = a * k;", "  param k in [0, 1) = 1.5;\n"))}
{fix("AE0020", L("a' = a * k;", "  param k in [0, 1) = 0.5;\n"))}
An `int` default beyond the integers a float64 holds exactly:

{fail("AE0020", L("a' = a * (n > 0 ? 1 : 0.5);", "  param n: int = 1e30;\n"))}
{fix("AE0020", L("a' = a * (n > 0 ? 1 : 0.5);", "  param n: int = 1e15;\n"))}
An initial value outside the bounds:

{fail("AE0020", L("a' = a * 0.5;" + chr(10) + "s' = s * a;", "  state s: real in [0, 1] = 2;\n"))}
{fix("AE0020", L("a' = a * 0.5;" + chr(10) + "s' = s * a;", "  state s: real in [0, 1] = 1;\n"))}
A condition that is not a bool:

{fail("AE0020", L("when a {" + chr(10) + "  a' = a * 0.5;" + chr(10) + "}"))}
{fix("AE0020", L("when a > 0.5 {" + chr(10) + "  a' = a * 0.5;" + chr(10) + "}"))}""")

E["AE0021"] = T(r"""
Values of different shapes meet: two vectors of different lengths in an elementwise operation, in
`dot` or `cosine`, or in the branches of `?:`; a vector assigned to a scalar (or to a vector of
another length); a scalar given to a reduction (`sum`, `norm`, ...); a vector condition for
`when`. Scalars broadcast against vectors, but vectors combine only with equal lengths. Lengths
are compared as linear forms over dims, so `real[n]` and `real[n + 1]` differ whatever `n` is.

{fail("AE0021", L("a' = a * g;", "  dim n;\n  input g: real[n];\n"))}
Fix: reduce the vector first.

{fix("AE0021", L("a' = clamp(a * sum(g), 0, 1);", "  dim n;\n  input g: real[n];\n"))}
{fail("AE0021", L("a' = clamp(a + dot(g, h), 0, 1);", "  dim n;\n  input g: real[n];\n  input h: real[n + 1];\n"))}
{fix("AE0021", L("a' = clamp(a + dot(g, h), 0, 1);", "  dim n;\n  input g: real[n];\n  input h: real[n];\n"))}""")

E["AE0022"] = T(r"""
A net is applied to a vector whose width is not the net's input width. The message names both
widths; when the argument is a `concat`, it says that the widths of the parts must add up to the
input width. Widths are compared exactly (as linear forms over dims), because the weights of the
net have this shape.

{fail("AE0022", L("a' = clamp(a + sum(f(g)), 0, 1);", "  dim n = 3;\n  input g: real[n];\n  net f: linear(2 -> 1);\n", head="cell L"))}
Fix: declare the net with the width of its input.

{fix("AE0022", L("a' = clamp(a + sum(f(g)), 0, 1);", "  dim n = 3;\n  input g: real[n];\n  net f: linear(n -> 1);\n", head="cell L"))}
{fail("AE0022", L("a' = clamp(a + sum(f(concat(a, a, a))), 0, 1);", "  net f: linear(2 -> 1);\n", head="cell L"))}
{fix("AE0022", L("a' = clamp(a + sum(f(concat(a, a))), 0, 1);", "  net f: linear(2 -> 1);\n", head="cell L"))}""")

E["AE0023"] = T(r"""
A size that is not a valid dimension. Sizes (dim values, vector lengths, layer widths, `noise(n)`)
are made of dims, whole numbers, `+`, `-`, and `*` by a whole number, so that the checker can compare
them as linear forms. Reported for a fractional number, a param or another non-dim name, a product
of two dims, `/`, a negated size (`-n`; write `8 - n`), more than one dimension (`real[n, n]`: only
scalars and vectors exist), a size that is less than 1, and a number above 1e9, written or computed
(every part of a size, `4096 * 4096 * 4096`, stays within 1e9, so that sizes never wrap around).

{fail("AE0023", L("a' = clamp(a + sum(g), 0, 1);", "  param k = 3;\n  input g: real[k];\n"))}
Fix: sizes are dims.

{fix("AE0023", L("a' = clamp(a + sum(g), 0, 1);", "  dim k = 3;\n  input g: real[k];\n"))}
{fail("AE0023", L("a' = clamp(a + sum(g), 0, 1);", "  dim n = 3;\n  dim m = n - 5;\n  input g: real[m];\n"))}
{fix("AE0023", L("a' = clamp(a + sum(g), 0, 1);", "  dim n = 3;\n  dim m = n - 2;\n  input g: real[m];\n"))}
{fail("AE0023", L("a' = clamp(a + sum(g), 0, 1);", "  dim n = 1073741824;\n  input g: real[n];\n"))}
{fix("AE0023", L("a' = clamp(a + sum(g), 0, 1);", "  dim n = 1000000000;\n  input g: real[n];\n"))}
{fail("AE0023", L("a' = clamp(a + sum(g), 0, 1);", "  dim n = 4096 * 4096 * 4096;\n  input g: real[n];\n"))}""")

E["AE0024"] = T(r"""
An expression that must be a constant reads something that changes during a run. Constant contexts
are: dim sizes, param defaults and ranges, initial values of states and coefficients, bounds,
neutral values of accumulators, `require` conditions, and the rates of `ema` and `lp`
(fixed for the run, so that each filter is causal and time-invariant). They may read only
literals, dims, params and pure functions; not inputs, states, coefficients, signals, `step`,
filters or `noise`.

{fail("AE0024", L("a' = a * k + 0 * x;", "  input x: real;\n  param k = x * 2;\n"))}
Fix: constants come from params; use the input in a rule.

{fix("AE0024", L("a' = clamp(a * k * x, 0, 1);", "  input x: real;\n  param k = 2;\n"))}
A filter rate that changes:

{fail("AE0024", L("a' = ema(a, a);"))}
{fix("AE0024", L("a' = ema(beta, a);", "  param beta in [0, 1) = 0.9;\n"))}""")

# ---------------------------------------------------------------- axioms and laws

CELL25 = """cell C {
  input x: real[3];
  input target: real[3];
  state h: real[3] = 0;
  signal y: real[3];
  objective e;
  update {
    h' = tanh(h + x);
    y = h';
    e = %s;
  }
}
"""

E["AE0025"] = T(r"""
An `objective` is a signal of a cell whose value, a real number per step and sample, the host averages
over the batch and the sequence into the training loss (docs/language.md, "Objectives"). It must be a
real number, and only a cell has one: a law's meta-gradient uses its task's loss. (Declared with a
type, `objective e: real;`, a definition of another shape is AE0021.)

{fail("AE0025", CELL25 % "(y - target) ^ 2")}
Fix: reduce the vector to one number per step.

{fix("AE0025", CELL25 % "mean((y - target) ^ 2)")}""")

E["AE0030"] = T(r"""
A coefficient without bounds, or with an infinite end (`inf`, or a param whose default is `inf`).
**Axiom A4** of the AE theory: every adapted coefficient stays in a declared bounded range,
whatever the observations do. The runtime projects each coefficient onto its bounds at the end of
every step, and the checker's numeric analysis relies on them. A law's constructor makes the same
check with the params it is given: an override that makes an end infinite (or NaN) is a
`ParamOutOfRangeException`.

{fail("AE0030", L("a' = a * 0.5;").replace("coeff a in [0, 1] = 0.5", "coeff a = 0.5"))}
{fail("AE0030", L("a' = a * 0.5;").replace("coeff a in [0, 1] = 0.5", "coeff a in [0, inf] = 0.5"))}
Fix: declare finite bounds.

{fix("AE0030", L("a' = a * 0.5;"))}""")

E["AE0031"] = T(r"""
A coefficient declared `log` (it lives in log space: its updates are multiplicative,
`alpha' = exp(log(alpha) + d)`) has a lower bound that is not provably greater than 0, so the
projection onto the bounds could produce 0 or a negative value, where `log` is undefined. When the
bound is a param, it must be provably positive for **every** value the param can be overridden to,
so the param needs a declared range that excludes 0; the message then shows the param's default
and the range to declare. An open lower end at 0 (`(0, 1]`) is fine.

{fail("AE0031", L("a' = a * 0.5;").replace("coeff a in [0, 1] = 0.5", "coeff a in [0, 1] log = 0.5"))}
Fix: raise the lower bound above 0 (or drop `log`).

{fix("AE0031", L("a' = a * 0.5;").replace("coeff a in [0, 1] = 0.5", "coeff a in [1e-6, 1] log = 0.5"))}
With a param as the bound:

{fail("AE0031", L("a' = a * 0.5;", "  param a_min = 1e-6;\n").replace("coeff a in [0, 1] = 0.5", "coeff a in [a_min, 1] log = 0.5"))}
{fix("AE0031", L("a' = a * 0.5;", "  param a_min in (0, 1] = 1e-6;\n").replace("coeff a in [0, 1] = 0.5", "coeff a in [a_min, 1] log = 0.5"))}""")

E["AE0032"] = T(r"""
The bounds of a coefficient (or of a state with a range) are empty: with the declared defaults the
lower bound is greater than the upper bound, so no value satisfies axiom A4.

{fail("AE0032", L("a' = a * 0.5;", "  param lo = 2, hi = 1;\n").replace("[0, 1] = 0.5", "[lo, hi] = 1.5"))}
Fix: order the bounds (here, the params' defaults).

{fix("AE0032", L("a' = a * 0.5;", "  param lo = 1, hi = 2;\n").replace("[0, 1] = 0.5", "[lo, hi] = 1.5"))}""")

E["AE0040"] = T(r"""
A non-smooth construct inside smooth code. **Law AE-9**: in a `smooth law`, `smooth cell` or
`smooth rule`, every operation must be differentiable, so that the gains can be tuned by gradient
through the step map. The message names the smooth replacement:

| not smooth | use |
| --- | --- |
| `clamp` | `softclamp(x, lo, hi)` |
| `abs` | `softabs(x, eps)` |
| `max`, `min` | `smoothmax(a, b, k)`, `smoothmin(a, b, k)` (`logsumexp` for a vector) |
| `relu`, a net with `relu` | `softplus` |
| `sign` | `tanh(k*x)` with a large `k` |
| `c ? a : b`, `when` | a blend: `lerp(b, a, sigmoid(k*margin))` |
| `%` | a smooth periodic function such as `sin` |
| `latch`, `isfinite`, `finite_or`, `sanitize` | move them to a rule that is not smooth |

A constant may use any function where it reads no real param (a dim, an int param, literals), and so
may a param's default and range and a `require` condition, which no meta-gradient flows through. A
constant that enters the step and reads a real param is differentiated as the rules are, so in smooth
code it is held to this rule too: a filter's rate (`ema(min(beta, 0.95), x)`), a coefficient's or
state's bounds and initial value, a signal's or accumulator's neutral value.

{fail("AE0040", "smooth " + L("a' = clamp(a * 0.5, 0, 1);"))}
Fix: use the smooth replacement.

{fix("AE0040", "smooth " + L("a' = softclamp(a * 0.5, 0, 1);"))}
A `when` in a smooth rule:

{fail("AE0040", '''law L {
  coeff a in [0, 1] = 0.5;
  smooth rule R {
    when a > 0.5 {
      a' = a * 0.5;
    }
  }
  update {
    a' = a';
  }
}
''')}
{fix("AE0040", '''law L {
  coeff a in [0, 1] = 0.5;
  smooth rule R {
    a' = lerp(a, a * 0.5, sigmoid(20 * (a - 0.5)));
  }
  update {
    a' = a';
  }
}
''')}""")

E["AE0041"] = T(r"""
A read of the next value (`x'`) of something that has none. **Axiom A2** (causality): what a law
computes at step t may depend only on what is known at step t. `x'` is allowed only for a state or
a coefficient, where it reads the value being built for the next step as refined so far in this
step; the next value of an input, a signal, a rule-defined value, a param or `step` would read the
future. The message suggests `x` (this step) or `prev(x, init)` (last step).

{fail("AE0041", L("a' = clamp(a + x', 0, 1);", "  input x: real;\n"))}
Fix: read this step's value (or last step's, with `prev`).

{fix("AE0041", L("a' = clamp(a + x - prev(x, 0), 0, 1);", "  input x: real;\n"))}""")

E["AE0042"] = T(r"""
Switching a rule off would leave a value undefined. **Rule ablation**: every rule that is not
`fixed` (and is not the `update`) is an ablation switch, and the checker guarantees that any set of
them can be switched off. When a rule is off, the values it defines take their neutral values; so
a value defined in a switchable rule must be a signal with a neutral value if another rule reads it
(reported at the read, naming both rules) or if it is a signal (the host reads every signal after
each step; reported at the definition).

{fail("AE0042", '''law L {
  coeff a in [0, 1] = 0.5;
  rule R {
    h = a * 0.5;
  }
  update {
    a' = h;
  }
}
''')}
Fix: declare the value as a signal with a neutral value (what `h` is when R is off)...

{fix("AE0042", '''law L {
  coeff a in [0, 1] = 0.5;
  signal h = 0;
  rule R {
    h = a * 0.5;
  }
  update {
    a' = h;
  }
}
''')}
...or make the rule `fixed` if it must never be switched off.

{fix("AE0042", '''law L {
  coeff a in [0, 1] = 0.5;
  fixed rule R {
    h = a * 0.5;
  }
  update {
    a' = h;
  }
}
''')}
A signal the host reads:

{fail("AE0042", '''law L {
  coeff a in [0, 1] = 0.5;
  signal s: real;
  rule R {
    s = a * 0.5;
  }
  update {
    a' = a;
  }
}
''')}
{fix("AE0042", '''law L {
  coeff a in [0, 1] = 0.5;
  signal s: real = 0;
  rule R {
    s = a * 0.5;
  }
  update {
    a' = a;
  }
}
''')}""")

E["AE0043"] = T(r"""
A rule that changes nothing: the values it defines are read by no other rule, and it sets no next
value, adds to no accumulator and defines no signal. Switching it off would change nothing, so it
is probably unfinished or its result is forgotten. A warning; reported at the rule id.

{fail("AE0043", '''law L {
  coeff a in [0, 1] = 0.5;
  rule R {
    h = a * 0.5;
  }
  update {
    a' = a * 0.5;
  }
}
''')}
The rule's value is reported unused too.

Fix: use what the rule computes (or remove the rule).

{fix("AE0043", '''law L {
  coeff a in [0, 1] = 0.5;
  rule R {
    h = a * 0.5;
    a' = h;
  }
  update {
    a' = a' * 0.5;
  }
}
''')}""")

E["AE0044"] = T(r"""
A rule group that no law or cell uses (directly or through another group), so its rules never
run. A warning; reported at the group name. Groups are shared by all files checked together, so
check the files that use the group along with it. Until a unit uses it, a group is checked for its
syntax only: its names mean the declarations of the unit that uses it.

{fail("AE0044", "group G {\n  rule R { a' = a' * 0.5; }\n}\n" + L("a' = a;"))}
Fix: use it (or remove it).

{fix("AE0044", "group G {\n  rule R { a' = a' * 0.5; }\n}\n" + L("a' = a';", "  use G;\n"))}""")

E["AE0045"] = T(r"""
Two rules of one law have the same id. Rule ids name the ablation switches, so they must be unique
in a law, rules that come through `use` included (the `update` block counts as a rule named
`update`). The message gives the position of the first rule with the id. When a `use` brings in
a rule (from the group, or from a group that group uses) whose id the law already has, the error is
at the `use`, in the law, and the message says where the group's rule is: the clash is made by the
law's `use`, not by the group, which other laws may use without a clash.

{fail("AE0045", '''law L {
  coeff a in [0, 1] = 0.5;
  rule R {
    a' = a * 0.5;
  }
  rule R {
    a' = a' * 0.5;
  }
  update {
    a' = a';
  }
}
''')}
Fix: rename one of them.

{fix("AE0045", '''law L {
  coeff a in [0, 1] = 0.5;
  rule R {
    a' = a * 0.5;
  }
  rule S {
    a' = a' * 0.5;
  }
  update {
    a' = a';
  }
}
''')}
A rule of a group the law uses:

{fail("AE0045", '''group Damping {
  rule R { a' = a' * 0.5; }
}
law L {
  coeff a in [0, 1] = 0.5;
  rule R {
    a' = a * 0.5;
  }
  use Damping;
  update {
    a' = a';
  }
}
''')}
Fix: rename the law's rule (or the group's).

{fix("AE0045", '''group Damping {
  rule R { a' = a' * 0.5; }
}
law L {
  coeff a in [0, 1] = 0.5;
  rule Start {
    a' = a * 0.5;
  }
  use Damping;
  update {
    a' = a';
  }
}
''')}""")

E["AE0050"] = T(r"""
A declaration or a rule-defined value that nothing reads: a dim, param, input, net, accumulator,
a signal that has only its neutral value, or a value defined in a rule. A warning; the message
names the kind. States, coefficients and defined signals are not reported: the host reads them.
An accumulator that rules add to is read by the host too; the first input of an optimizer-shaped law
(the loss) is not reported either: the host gives it whether the law reads it or not. In a file with
a lexical or syntax error (AE0001 to AE0004) it is not reported at all: what the parser skipped may
be where the declaration is read.

{fail("AE0050", L("a' = a * 0.5;", "  param k = 0.5;\n"))}
Fix: use it, or remove it.

{fix("AE0050", L("a' = a * k;", "  param k = 0.5;\n"))}
{fail("AE0050", L("h = a * 0.5;" + chr(10) + "a' = a * 0.5;"))}
{fix("AE0050", L("h = a * 0.5;" + chr(10) + "a' = h;"))}""")

E["AE0060"] = T(r"""
`log`, `log1p` or `sqrt` of an argument that the checker cannot prove lies in the function's domain
(positive for `log`, greater than -1 for `log1p`, non-negative for `sqrt`), or a `softclamp(x, lo,
hi)` whose width `hi - lo` it cannot prove positive (the width divides), so it could produce
NaN or -inf at run time. A warning. The checker runs an interval analysis in statement order:
params lie in their declared ranges (a param without a range can be overridden to anything),
coefficients and states with a range in their bounds, inputs anywhere, and each function's range is
known as floating point computes it, in float64 and float32 (`norm`, `abs` >= 0; `max(x, 1e-12)` > 0;
`1 + exp(x)` >= 1; but `exp(x)` and `softplus(x)` can be 0, `sigmoid(x)` 0 or 1 and `tanh(x)` -1 or 1
unless the argument's interval keeps them off: `exp(-800)` is 0, `tanh(29.7)` is 1; see "Ranges in
floating point" in docs/language.md). A product with a factor an even number of times is >= 0 in any
order of the factors (`x*x`, `2*g*g`, `(1 - b)*g*g`). A next value `x'` starts as `x` and takes the
interval of each statement that sets it; after a `when` it is the hull of both branches, and after a
rule that can be switched off it may also be the value from before the rule. Accumulators start at
their neutral value and add up the same way. Inside `c ? a : b` and `when c`, a condition `x > k`
narrows `x`. The message shows the interval the checker could prove.

{fail("AE0060", L("a' = clamp(log(x), 0, 1);", "  input x: real;\n"))}
Fix: bound the argument, add an epsilon, or guard it.

{fix("AE0060", L("a' = clamp(log(max(x, 1e-12)), 0, 1);", "  input x: real;\n"))}
{fix("AE0060", L("a' = x > 0 ? clamp(log(x), 0, 1) : a;", "  input x: real;\n"))}
`sqrt` and `log1p`:

{fail("AE0060", L("a' = clamp(sqrt(x) + log1p(x), 0, 1);", "  input x: real;\n"))}
{fix("AE0060", L("a' = clamp(sqrt(max(x, 0)) + log1p(max(x, -1 + 1e-12)), 0, 1);", "  input x: real;\n"))}
A second moment: `v' = b v + (1 - b) g^2` is >= 0 when `v` is, but a state without a range could be
anything:

{fail("AE0060", L("v' = beta * v + (1 - beta) * g * g;" + chr(10) + "a' = clamp(sqrt(v'), 0, 1);", "  param beta in [0, 1) = 0.999;\n  input g: real;\n  state v: real = 0;\n"))}
Fix: declare the state's range (it is also projected onto it at the end of every step).

{fix("AE0060", L("v' = beta * v + (1 - beta) * g * g;" + chr(10) + "a' = clamp(sqrt(v'), 0, 1);", "  param beta in [0, 1) = 0.999;\n  input g: real;\n  state v: real in [0, inf) = 0;\n"))}""")

E["AE0061"] = T(r"""
A division whose denominator the checker cannot prove is non-zero (by the same interval analysis as
AE0060); the result could be infinite or NaN at run time. A warning. The message shows the interval
of the denominator. A division of two literals is folded to its value only when that is finite, so
`0 / 0` is warned of too.

{fail("AE0061", L("a' = clamp(0.1 / a, 0, 1);"))}
Fix: add a positive epsilon to a non-negative denominator, or give the params it reads a range
that excludes 0.

{fix("AE0061", L("a' = clamp(0.1 / (a + 1e-12), 0, 1);"))}
{fail("AE0061", L("a' = clamp(a / k, 0, 1);", "  param k = 2;\n"))}
{fix("AE0061", L("a' = clamp(a / k, 0, 1);", "  param k in [1, 10] = 2;\n"))}
A function that only approaches 0 reaches it in floating point: `exp(-800)` and `sigmoid(-800)` are 0,
and `1 - tanh(x)` is 0 from `x` = 19.1 (9.01 in float32).

{fail("AE0061", L("a' = clamp(0.1 / (1 - tanh(x)), 0, 1);", "  input x: real;\n"))}
Fix: bound the argument (or add an epsilon).

{fix("AE0061", L("a' = clamp(0.1 / (1 - tanh(clamp(x, -5, 5))), 0, 1);", "  input x: real;\n"))}""")

E["AE0070"] = T(r"""
A `require` condition is false with the declared defaults. **Law AE-10** (declared stability
bounds): a law states the conditions under which it is stable, such as a small-gain bound on its
gains (`require small_gain: eta_a * k_max < 1;`), and the checker evaluates them with the params'
defaults. The message names the requirement (its label, or its text) and the values it used.

{fail("AE0070", L("a' = a * beta * gamma;", "  param beta in [0, 1) = 0.9;\n  param gamma in [0, 1) = 0.5;\n  require stable: beta + gamma < 1;\n"))}
Fix: adjust the defaults (or the bound).

{fix("AE0070", L("a' = a * beta * gamma;", "  param beta in [0, 1) = 0.9;\n  param gamma in [0, 1) = 0.05;\n  require stable: beta + gamma < 1;\n"))}""")

E["AE0008"] = """
A warning of the source generator, not of `ae check`: the project's `AeNamespace` (MSBuild property)
is not a C# namespace as written (`My-App.Laws`, `1st.Laws`, `a..b`), so the generated laws and cells go
to the namespace it was made into (each part a C# identifier: other characters become `_`, a leading
digit gets `_` before it, a keyword gets `@`, empty parts are dropped). Code that names the namespace
as it was set would otherwise meet CS0246 with no hint why. `RootNamespace`, which MSBuild derives
from the project's name, is made into a namespace the same way without a warning, as C# projects do.

Fix: set `AeNamespace` to the namespace the warning names, or to another valid one:

```xml
<AeNamespace>My_App.Laws</AeNamespace>
```"""

E["AE0099"] = """
The checker itself failed: an unexpected exception while checking. It is a bug in `ae`, not in
the file, and **no input should produce it**: there is no failing example, by design. The message
names the exception; it is reported at (1,1) of the file being checked, and `ae check` fails as for
any error. When it happens, checking stops where the exception was thrown: the diagnostics found
before it are shown, the rest are not, so a file that shows AE0099 may have other problems that are
not shown yet.

Please report it with the file (or the smallest file that still shows it). Meanwhile, a syntax or
name error near the code you last changed is the likely trigger: fixing it usually makes AE0099 go
away."""


VBASE = """law L {
  coeff a in [0, 1] = 0.5;
  fixed rule F { a' = a' * 0.9; }
  rule R { a' = a' * 0.5; }
  rule S { a' = a' * 0.25; }
  update {
    a' = a';
  }
}

"""

E["AE0046"] = T(r"""
A variant (`law X = Base without R1, R2;`, the base compiled with rules removed) that cannot be
built: a rule it removes does not exist in the base, is `fixed` or is the `update` (those cannot be
switched off), or is named twice; or a cell variant is based on a law (or the reverse). The message
lists the rules that can be removed. An unknown base is AE0010.

{fail("AE0046", VBASE + "law M = L without Q;\n")}
Fix: name rules that exist and can be switched off.

{fix("AE0046", VBASE + "law M = L without R, S;\n")}
{fail("AE0046", VBASE + "law M = L without F;\n")}
{fix("AE0046", VBASE + "law M = L without R;\n")}""")

E["AE0080"] = T(r"""
A law or cell (or variant) that checks without errors, but that the C# backend cannot emit yet.
The source generator (`AE.Generators`) reports it when it turns `.ae` files into C#, and `ae check`
and `ae emit` report it the same way, at the construct the backend stops at where it knows it (a
cell's filter under a condition, its `noise()`, its state that is not real) and at the unit's name
otherwise, so that a file that checks with no error
and no warning is a file whose every unit compiles. The message names the kind, the unit and the
first construct the backend does not support. So far:

- laws: nets, filters over vectors (`ema`, `lp`, `prev`, `latch` of a vector), `softmax`,
  `concat`, `logsumexp` in a lagged law or of a vector that updates a filter, a filter update needed by
  two passes over the vectors, more than 64 rules that can be switched off (the law's switches are the
  bits of one 64-bit word), more than 10,000 definitions and updates (the step is one C# method with a
  local of each, and C# allows 65,534 locals in a method), a signal's neutral value that reduces a
  vector, where the rule that defines the signal can be switched off (the interpreter runs it; define
  the value in a rule, or make that rule `fixed`);
- cells: a filter under a condition (inside `when`, a branch of a scalar `?:`, the right side of `&&`
  or `||`: the language updates it only when reached, the cell backend every step), `noise()` (a
  cell takes its draws as inputs), states that are not real, a lagged cell; and, from the source generator
  only, any cell in a project that compiles C# below 11 (`LangVersion`: a cell's code needs static abstract
  interface members).

It is a warning: the unit is valid AE and runs in the reference interpreter; only its C# type is
not generated. For example a cell whose low-pass filter stands in a `when`,
`when s > 0 {{ h' = h' * lp(0.9, x); }}`, gives at the `lp` `warning AE0080: cell 'F' is checked
but not emitted as C#: the filter 'h.lp' (lp) is under a condition (...); the cell backend emits
filters that update every step so far`.

Fix: express the construct with what the backend supports (the message says how when it can, for
example `m + log(max(sum(exp(v - m)), 1))` for `logsumexp` over a vector that updates a filter, and
`log(sum(exp(v)) + 1e-300)` in a lagged law, where `m` would be the previous step's max too; a filter computed before the `when`,
`m = lp(0.9, x);`, and used inside it), or run the unit with the interpreter.""")

# ---------------------------------------------------------------- assemble

ids = [c[0] for c in CATALOG]
missing = [i for i in ids if i not in E]
extra = [i for i in E if i not in ids]
if missing or extra:
    sys.exit(f"missing entries {missing}, extra {extra}")

out = []
out.append("""# AE diagnostics

Every diagnostic `ae check` reports, in id order: what it means and why the language has the rule,
a failing example with the exact message the checker prints for it, and the fix. Every example on
this page is checked by the test suite (`tests/AE.Dsl.Tests/Diagnostics/`): the failing ones
print exactly what is shown, the fixes check clean. The language itself is described in
[language.md](language.md).

## Output

One line per diagnostic, in the MSBuild format that editors and CI parse, then a summary:

```text
path(line,col): error AE0001: message
path(line,col): warning AE0050: message
1 file checked: 1 error, 1 warning
```

Lines and columns are 1-based; columns count UTF-16 code units. A diagnostic's help link is
`docs/diagnostics.md#ae0001` (the anchors are the lowercase ids). Errors make `ae check` exit with
code 1. Warnings do not, unless you run `ae check --warnaserror`: then every warning is printed as
an error and fails the check. `ae check --format json` gives the same diagnostics as JSON.

Each file lists at most 100 errors: one line, [AE0007](#ae0007), stands for the rest. A file that is
not text (a NUL byte, or mostly not UTF-8) is one error, [AE0006](#ae0006), and nothing else.

In the examples below the file is called `example.ae`.

| Id | Title | Severity |
| --- | --- | --- |
""")
for id_, sev, title in CATALOG:
    out.append(f"| [{id_}](#{id_.lower()}) | {title} | {sev} |\n")
out.append("\n")
for id_, sev, title in CATALOG:
    out.append(f'<a id="{id_.lower()}"></a>\n## {id_}: {title}\n\n**Severity:** {sev}\n')
    out.append(E[id_].rstrip() + "\n\n")

text = "".join(out)
text = re.sub(r"\n{3,}", "\n\n", text).rstrip() + "\n"
if problems:
    print("\n\n".join(problems))
    sys.exit(1)
open(os.path.join(REPO, "docs/diagnostics.md"), "w", newline="\n").write(text)
print("ok", len(CATALOG), "entries")
