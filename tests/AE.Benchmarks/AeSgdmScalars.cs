using System;
using AE.Benchmarks.Laws;
using AE.Runtime;

namespace AE.Benchmarks
{
    /// <summary>
    /// The scalar half of one AE-SGDm step, written out by hand from laws/ae_sgdm.ae (the seed's
    /// <c>AEAgent.step</c>, rule by rule, every rule on): from the loss and the four reductions of the
    /// gradient and the momentum buffer to the coefficients the vector update uses. The hand-written
    /// steps (<see cref="UnfusedAeSgdm{T}"/>, <see cref="TensorPrimitivesAeSgdm{T}"/>) share it, so they
    /// differ from each other only in how they touch the vectors.
    /// </summary>
    public sealed class AeSgdmScalars
    {
        private readonly double _betaMu, _betaT, _betaV, _betaS, _betaStar;
        private readonly double _kP, _kV, _kC, _gammaLr, _gammaMu, _b1, _b2;
        private readonly double _kSStall, _kSUncert, _kSVar, _kSQuality;
        private readonly double _rhoStar, _rhoMax, _vMaxMult, _gammaStar;
        private readonly bool _autoGamma;
        private readonly long _autoGammaWarmup;
        private readonly double _etaA, _etaMu, _etaSigma, _etaGamma;
        private readonly double _maxDlogAlpha, _maxDMu, _maxDlogSigma;
        private readonly double _alphaMin, _alphaMax, _muMin, _muMax, _sigmaMin, _sigmaMax;
        private readonly double _alphaBar, _muBar, _tauTStall;
        private readonly double _lossEmergency;

        // The seed's _EMA objects and _prev_loss, one slot per call site of the law (AeMath keeps the
        // seed's bias correction, so these are the generated law's filters exactly).
        private double _tPrev, _tEma, _ldEma, _vEma, _sEma, _vStarEma, _sStarEma, _gtrackEma, _gammaLatch;
        private long _tPrevN, _tEmaN, _ldEmaN, _vEmaN, _sEmaN, _vStarEmaN, _sStarEmaN, _gtrackEmaN, _gammaLatchN;

        public AeSgdmScalars(AeSgdm.Options? options = null)
        {
            var o = options ?? new AeSgdm.Options();
            _betaMu = o.beta_mu; _betaT = o.beta_T; _betaV = o.beta_V; _betaS = o.beta_S; _betaStar = o.beta_star;
            _kP = o.k_p; _kV = o.k_v; _kC = o.k_c; _gammaLr = o.gamma_lr; _gammaMu = o.gamma_mu; _b1 = o.b_1; _b2 = o.b_2;
            _kSStall = o.k_s_stall; _kSUncert = o.k_s_uncert; _kSVar = o.k_s_var; _kSQuality = o.k_s_quality;
            _rhoStar = o.rho_star; _rhoMax = o.rho_max; _vMaxMult = o.V_max_mult; _gammaStar = o.gamma_star;
            _autoGamma = o.auto_gamma; _autoGammaWarmup = o.auto_gamma_warmup;
            _etaA = o.eta_a; _etaMu = o.eta_mu; _etaSigma = o.eta_sigma; _etaGamma = o.eta_gamma;
            _maxDlogAlpha = o.max_dlog_alpha; _maxDMu = o.max_d_mu; _maxDlogSigma = o.max_dlog_sigma;
            _alphaMin = o.alpha_min; _alphaMax = o.alpha_max; _muMin = o.mu_min; _muMax = o.mu_max;
            _sigmaMin = o.sigma_min; _sigmaMax = o.sigma_max;
            _alphaBar = o.alpha_bar; _muBar = o.mu_bar; _tauTStall = o.tau_T_stall;
            _lossEmergency = o.loss_emergency;
            GradEmergency = o.grad_emergency;
            StepNormMax = o.step_norm_max;
            ParamAbsMax = o.param_abs_max;
            ClipGradNorm = o.clip_grad_norm;
            Alpha = o.init_alpha;
            Mu = o.init_mu;
            Sigma = o.init_sigma;
        }

        /// <summary>What <c>sanitize</c> maps ±∞ to.</summary>
        public double GradEmergency { get; }

        /// <summary>The cap on the step's norm; +∞: no cap, and no pass to measure it.</summary>
        public double StepNormMax { get; }

        /// <summary>The parameter clamp; 0 or +∞: no clamp.</summary>
        public double ParamAbsMax { get; }

        public double ClipGradNorm { get; }

        public bool ClampsParams => ParamAbsMax > 0 && AeMath.IsFinite(ParamAbsMax);

        public long StepCount { get; private set; }

        /// <summary>Coefficients after the last step.</summary>
        public double Alpha { get; private set; }

        public double Mu { get; private set; }

        public double Sigma { get; private set; }

        /// <summary>The gradient-norm clip factor of the last step (1: no clipping).</summary>
        public double Clip { get; private set; }

        public double L { get; private set; }

        public double T { get; private set; }

        public double V { get; private set; }

        public double S { get; private set; }

        public double Rho { get; private set; }

        public double Gnorm { get; private set; }

        public double Gamma { get; private set; }

        /// <summary>The clip factor of this step from the norm of the sanitised gradient (rule AE1's first lines).</summary>
        public double ClipFor(double gg0)
        {
            double gn0 = Math.Sqrt(gg0);
            return gn0 > ClipGradNorm && gn0 > 0 ? ClipGradNorm / gn0 : 1.0;
        }

        /// <summary>
        /// The scalar step: measurement (AE1), brake, AE8, AE2, AE4, AE6, AE3, AE5, in the law's order, from the
        /// loss and the reductions of the sanitised gradient g0 and of the momentum buffer m before the step.
        /// Afterwards <see cref="Alpha"/>, <see cref="Mu"/>, <see cref="Sigma"/> are what the vector update uses.
        /// </summary>
        /// <param name="gg0">sum(g0 * g0)</param>
        /// <param name="sumG0">sum(g0)</param>
        /// <param name="normM">norm(m)</param>
        /// <param name="dotG0M">dot(g0, m)</param>
        public void Update(double loss, int n, double gg0, double sumG0, double normM, double dotG0M)
        {
            long step = ++StepCount;
            double alpha = Alpha, mu = Mu, sigma = Sigma;
            double duAlpha = 0, duMu = 0, duSigma = 0;

            // AE1: measurement
            double clip = ClipFor(gg0);
            double sumG2 = clip * clip * gg0;
            double gmean = clip * sumG0 / n;
            double l = AeMath.Clamp(AeMath.FiniteOr(loss, _lossEmergency), -_lossEmergency, _lossEmergency);
            double t = AeMath.Ema(ref _tEma, ref _tEmaN, _betaT, l - AeMath.Prev(ref _tPrev, ref _tPrevN, l, l));
            double ld = AeMath.Clamp(AeMath.FiniteOr(l - AeMath.Ema(ref _ldEma, ref _ldEmaN, _betaMu, l), 0), -1e6, 1e6);
            double v = AeMath.Ema(ref _vEma, ref _vEmaN, _betaV, ld * ld + 1e-12);
            double s = AeMath.Ema(ref _sEma, ref _sEmaN, _betaS, Math.Max(sumG2 / n - gmean * gmean, 0) + 1e-12);
            double gnorm = Math.Sqrt(sumG2) + 1e-12;
            double mnorm = normM + 1e-12;
            double rho = mnorm > 1e-12 ? AeMath.Clamp(clip * dotG0M / (gnorm * mnorm), -1, 1) : 0;
            double vStar = Math.Max(AeMath.Ema(ref _vStarEma, ref _vStarEmaN, _betaStar, v), 1e-12);
            double sStar = Math.Max(AeMath.Ema(ref _sStarEma, ref _sStarEmaN, _betaStar, s), 1e-12);

            // brake
            if (Math.Abs(l) > _lossEmergency || gnorm > GradEmergency || !AeMath.IsFinite(gnorm))
            {
                alpha = Math.Max(_alphaMin, alpha / 10);
                mu = Math.Min(mu, 0.5);
            }

            // AE8: gauge
            double gtrack = AeMath.Ema(ref _gtrackEma, ref _gtrackEmaN, 0.99, Math.Abs(alpha * gnorm));
            double gammaTarget = AeMath.Latch(ref _gammaLatch, ref _gammaLatchN, _autoGamma && step > _autoGammaWarmup, 0.8 * Math.Max(gtrack, 1e-12), _gammaStar);
            duAlpha += _etaGamma * ((gammaTarget - alpha * gnorm) / (gammaTarget + 1e-12));

            // AE2: constitutive drive
            duAlpha += _etaA * (_kP * Math.Tanh(-t) - _kV * AeMath.Softplus(v / vStar) + _kC * (rho - _rhoStar)
                                - _gammaLr * (Math.Log(Math.Max(alpha, 1e-12)) - Math.Log(_alphaBar)));
            duMu += _etaMu * (_b1 * Math.Tanh(rho - _rhoStar) - _b2 * AeMath.Softplus(v / vStar) - _gammaMu * (mu - _muBar));

            // AE4: noise law
            double stall = Math.Abs(t) < _tauTStall * Math.Sqrt(vStar) ? 1 : 0;
            double a = 0.5 * (rho + 1);
            duSigma += _etaSigma * (_kSStall * stall + _kSUncert * (s / sStar) - _kSVar * (v / vStar) + _kSQuality * (a - 0.5));

            // AE6: budget
            double dlogAlpha = _maxDlogAlpha > 0 ? AeMath.Clamp(duAlpha, -_maxDlogAlpha, _maxDlogAlpha) : duAlpha;
            double dMu = _maxDMu > 0 ? AeMath.Clamp(duMu, -_maxDMu, _maxDMu) : duMu;
            double dlogSigma = _maxDlogSigma > 0 ? AeMath.Clamp(duSigma, -_maxDlogSigma, _maxDlogSigma) : duSigma;

            // AE3: evolution
            alpha = AeMath.Clamp(Math.Exp(Math.Log(Math.Max(alpha, _alphaMin)) + dlogAlpha), _alphaMin, _alphaMax);
            mu = AeMath.Clamp(mu + dMu, _muMin, _muMax);
            sigma = AeMath.Clamp(Math.Exp(Math.Log(Math.Max(sigma, _sigmaMin + 1e-16)) + dlogSigma), _sigmaMin, _sigmaMax);

            // AE5: resonance clamp
            if (v > _vMaxMult * vStar || Math.Abs(rho) > _rhoMax) alpha = Math.Max(_alphaMin, alpha / 1.25);

            // The generated law projects onto the declared bounds at the end of the step; every rule on, this
            // changes nothing, but it keeps the two equal should a setting make it matter.
            Alpha = AeMath.Clamp(alpha, _alphaMin, _alphaMax);
            Mu = AeMath.Clamp(mu, _muMin, _muMax);
            Sigma = AeMath.Clamp(sigma, _sigmaMin, _sigmaMax);
            NextAlpha = alpha;
            NextMu = mu;
            NextSigma = sigma;
            Clip = clip;
            L = l;
            T = t;
            V = v;
            S = s;
            Rho = rho;
            Gnorm = gnorm;
            Gamma = alpha * gnorm;
        }

        /// <summary>alpha', mu', sigma' as the update reads them (before the end-of-step projection).</summary>
        public double NextAlpha { get; private set; }

        public double NextMu { get; private set; }

        public double NextSigma { get; private set; }
    }
}
