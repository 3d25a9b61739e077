using System;

namespace AE.Experiments.Menu
{
    /// <summary>What a run of a menu item says about the seed's falsifiable outcome.</summary>
    public enum Verdict
    {
        /// <summary>The criterion's numbers fall on the side the seed predicts.</summary>
        Held,

        /// <summary>The numbers fall on the other side.</summary>
        DidNotHold,

        /// <summary>The numbers cannot decide it (too few converging cells, too few conditions).</summary>
        NotTestable,

        /// <summary>The runs were stopped (Ctrl-C) before they were all done: the numbers are of the runs as far as they got, and decide nothing.</summary>
        Interrupted,
    }

    /// <summary>A verdict, the rule that gave it (with its margin) and the numbers that decided it.</summary>
    /// <param name="Criterion">the rule, in one sentence, with its margin</param>
    /// <param name="Numbers">the figures the rule was applied to</param>
    public sealed record Judgement(Verdict Verdict, string Criterion, string Numbers)
    {
        /// <summary>held, did not hold, not testable here, or interrupted: no verdict.</summary>
        public string Word => Words(Verdict);

        /// <summary>How a verdict is printed.</summary>
        public static string Words(Verdict verdict) => verdict switch
        {
            Verdict.Held => "held",
            Verdict.DidNotHold => "did not hold",
            Verdict.NotTestable => "not testable here",
            Verdict.Interrupted => "interrupted: no verdict",
            _ => throw new ArgumentOutOfRangeException(nameof(verdict)),
        };
    }
}
