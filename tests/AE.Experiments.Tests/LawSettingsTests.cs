using System;
using System.Linq;
using AE.Experiments.Replay;
using Xunit;

namespace AE.Experiments.Tests
{
    public class LawSettingsTests
    {
        private static CaseSetting Num(string name, double v) => CaseSetting.FromNumber("config", name, v);

        [Fact]
        public void Settings_map_onto_the_options_by_type()
        {
            var law = (TestSgd)LawSettings.Create(typeof(TestSgd), 4, new[]
            {
                Num("lr", 0.25),
                CaseSetting.FromBool("config", "use_cap", true),
                Num("warmup", 7),
                CaseSetting.None("agent", "step_norm_max"),
                Num("lr_late", 0.125),
            }, seed: 9);
            Assert.Equal(4, law.Dimension);
            Assert.Equal(9UL, law.Seed);
            var theta = new double[4];
            law.Step(1.0, new[] { 1.0, 0, 0, 0 }, theta);
            Assert.Equal(-0.25, theta[0]);
            Assert.Equal(new[] { "lr", "use_cap", "warmup", "step_norm_max", "lr_late" }, LawSettings.ParamNames(typeof(TestSgd)));
        }

        [Fact]
        public void The_golden_case_settings_build_the_law()
        {
            var c = Cases.Quadratic();
            var law = LawSettings.Create(typeof(TestSgd), c.Theta0.Length, c.Settings);
            var t = new LawRunner(law, c.Problem).Run(c.Theta0, c.Steps);
            Assert.Equal(new[] { 0.1, -0.2 }, t.ThetaRow(0).ToArray());
        }

        [Theory]
        [InlineData("nope", "'config.nope' is not a param of TestSgd; its params: lr, use_cap, warmup, step_norm_max, lr_late")]
        public void A_setting_that_is_not_a_param_names_it_and_the_params(string name, string message)
        {
            var ex = Assert.Throws<ReplayException>(() => LawSettings.CreateOptions(typeof(TestSgd), new[] { Num(name, 1) }));
            Assert.Equal(message, ex.Message);
        }

        /// <summary>A law without params said "its params: " and nothing after it.</summary>
        [Fact]
        public void A_setting_of_a_law_without_params_says_it_has_none()
        {
            var ex = Assert.Throws<ReplayException>(() => LawSettings.CheckNames(new[] { Num("nope", 1) }, Array.Empty<string>(), "Plain"));
            Assert.Equal("'config.nope' is not a param of Plain, which has no params", ex.Message);
        }

        [Fact]
        public void Values_that_do_not_fit_are_one_line_errors()
        {
            ReplayException Fails(params CaseSetting[] settings) => Assert.Throws<ReplayException>(() => LawSettings.Create(typeof(TestSgd), 2, settings));

            Assert.Equal("'config.lr' is null (None), which has no meaning for the real param lr of TestSgd; None is allowed for max_dlog_alpha, max_d_mu, max_dlog_sigma, step_norm_max, clip_grad_norm, param_abs_max",
                Fails(CaseSetting.None("config", "lr")).Message);
            Assert.Equal("'config.use_cap' must be true or false for the bool param use_cap of TestSgd, not 1",
                Fails(Num("use_cap", 1)).Message);
            Assert.Equal("'config.warmup' must be a whole number within ±2^53 for the int param warmup of TestSgd, not 2.5",
                Fails(Num("warmup", 2.5)).Message);
            // a number as every command writes one: a lower-case exponent
            Assert.Equal("'config.warmup' must be a whole number within ±2^53 for the int param warmup of TestSgd, not 1e+20",
                Fails(Num("warmup", 1e20)).Message);
            Assert.Equal("'config.lr' must be a number for the real param lr of TestSgd, not true",
                Fails(CaseSetting.FromBool("config", "lr", true)).Message);
            Assert.Equal("TestSgd rejects its settings: param 'lr' must lie in (0, inf) (given -1)",
                Fails(Num("lr", -1)).Message);
            Assert.Equal("'agent.lr' sets the param lr of TestSgd again (after 'config.lr')",
                Fails(Num("lr", 1), CaseSetting.FromNumber("agent", "lr", 2)).Message);
        }

        /// <summary>
        /// A law's refusal on any backend, in one line: a dim it cannot run at names the dim and its value (a check over the
        /// run-time dim, the same words from the C# law and the device hosts); a settings error names the params it reads.
        /// </summary>
        [Fact]
        public void A_refusal_names_the_dim_or_the_settings_it_comes_from()
        {
            Assert.Equal("Sized does not run at n = 4: the bounds of 'a' are empty: [0, -1]",
                LawSettings.Rejection("Sized", new AE.Runtime.DimOutOfRangeException("n", 4, "the bounds of 'a' are empty: [0, -1]")));
            Assert.Equal("Sized rejects its settings of k, n: require 'product' ((k * n) > 8) does not hold with the given params and dims",
                LawSettings.Rejection("Sized", new AE.Runtime.ParamOutOfRangeException("k, n", "true", double.NaN, "require 'product' ((k * n) > 8) does not hold with the given params and dims")));
        }

        [Fact]
        public void None_means_what_disables_the_guard()
        {
            Assert.Equal(double.PositiveInfinity, LawSettings.NoneMeans["clip_grad_norm"]);
            Assert.Equal(double.PositiveInfinity, LawSettings.NoneMeans["step_norm_max"]);
            Assert.Equal(0, LawSettings.NoneMeans["param_abs_max"]);
            Assert.Equal(0, LawSettings.NoneMeans["max_dlog_alpha"]);
            Assert.Throws<ArgumentException>(() => LawSettings.OptionsType(typeof(string)));
        }
    }
}
