using AE.Dsl.Text;

namespace AE.Dsl.IR
{
    /// <summary>Where a declaration or rule came from: file and span (rules used from a group live in another file).</summary>
    public sealed record IrOrigin(string Path, TextSpan Span);

    public sealed record IrDim(string Name, DimExpr Value, bool IsRuntime, IrOrigin Origin);

    /// <summary>An interval of allowed values, with open or closed ends.</summary>
    public sealed record IrRange(IrExpr Lo, IrExpr Hi, bool LoOpen, bool HiOpen);

    /// <summary>Constant per run, overridable at construction, differentiable when real.</summary>
    public sealed record IrParam(string Name, IrType Type, IrExpr Default, double? DefaultValue, IrRange? Range, IrOrigin Origin);

    public sealed record IrInput(string Name, IrType Type, IrOrigin Origin);

    /// <summary>
    /// Persistent state. Bounds, when declared, are projected onto at the end of every step; a
    /// coefficient is state that must have them (A4).
    /// </summary>
    public sealed record IrState(string Name, SymbolKind Kind, IrType Type, IrExpr? Init, IrRange? Bounds, bool LogSpace, IrOrigin Origin);

    /// <summary>
    /// A host-readable value defined by a rule; the neutral value stands in when its rule is switched off. An
    /// objective (<see cref="IsObjective"/>) is a real number per step and sample that the host averages over the
    /// batch and the sequence into the training loss.
    /// </summary>
    public sealed record IrSignal(string Name, IrType Type, IrExpr? Neutral, IrOrigin Origin, bool IsObjective = false);

    /// <summary>A sum of contributions from rules (<c>+=</c>), starting each step at its neutral value.</summary>
    public sealed record IrAcc(string Name, IrType Type, IrExpr Neutral, IrOrigin Origin);

    /// <summary>One affine layer: y = W x + b with W of shape [Out, In] (PyTorch's layout and names).</summary>
    public sealed record IrLayer(string WeightName, string BiasName, DimExpr In, DimExpr Out);

    /// <summary>A net whose weights are parameters of the cell; <see cref="Activation"/> follows every layer but the last.</summary>
    public sealed record IrNet(string Name, string Kind, EqArray<IrLayer> Layers, string? Activation, IrOrigin Origin)
    {
        public DimExpr InputWidth => Layers[0].In;
        public DimExpr OutputWidth => Layers[Layers.Count - 1].Out;
    }

    /// <summary>The persistent state of one filter call site (ema/lp/prev/latch).</summary>
    public sealed record IrFilterSlot(string Name, FilterKind Kind, IrType Type, IrOrigin Origin);

    /// <summary>A local value defined by a rule (not host-visible unless it is a signal).</summary>
    public sealed record IrLocal(string Name, IrType Type, string Rule, IrOrigin Origin);

    /// <summary>
    /// A rule: the unit of ablation. <see cref="Ablatable"/> is false for <c>update</c> and <c>fixed</c> rules.
    /// <see cref="Group"/> names the group it was written in, when it came through <c>use</c>.
    /// </summary>
    public sealed record IrRule(string Id, string? Title, bool Ablatable, bool IsUpdate, bool Smooth, string? Group, EqArray<IrStmt> Body, IrOrigin Origin);

    public sealed record IrRequire(string Label, IrExpr Condition, IrOrigin Origin);

    public sealed record IrUnit(
        UnitKind Kind,
        string Name,
        string? Title,
        bool Smooth,
        IrOrigin Origin,
        EqArray<IrDim> Dims,
        EqArray<IrParam> Params,
        EqArray<IrInput> Inputs,
        EqArray<IrState> States,
        EqArray<IrSignal> Signals,
        EqArray<IrAcc> Accs,
        EqArray<IrNet> Nets,
        EqArray<IrLocal> Locals,
        EqArray<IrFilterSlot> Filters,
        EqArray<IrRule> Rules,
        EqArray<IrRequire> Requires);

    /// <summary>A unit with rules removed at compile time (<c>law X = Base without R1, R2;</c>), optionally lagged (<c>= Base lagged;</c>).</summary>
    public sealed record IrVariant(string Name, string? Title, string Base, EqArray<string> Without, IrOrigin Origin, bool Lagged = false);

    public sealed record IrProgram(EqArray<IrUnit> Units, EqArray<IrVariant> Variants)
    {
        public IrProgram(EqArray<IrUnit> units) : this(units, EqArray<IrVariant>.Empty) { }
    }
}
