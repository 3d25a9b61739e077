using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using AE.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AE.TorchSharp
{
    /// <summary>
    /// The parameters one controller steps, as one vector: each parameter's data re-pointed at a view
    /// of one contiguous buffer (<c>set_</c>), and its gradient likewise set to a view of a second
    /// buffer, so that autograd accumulates into the buffer and the law steps both spans in place.
    /// </summary>
    internal sealed unsafe class FlatSegment : IDisposable
    {
        readonly Parameter[] _parameters;
        readonly Tensor[] _dataViews;
        readonly Tensor[] _gradViews;
        readonly nint[] _dataAddresses;
        readonly nint[] _gradAddresses;
        readonly long[] _byteLengths;
        readonly Tensor _data;
        readonly Tensor _grad;
        readonly nint _dataPointer;
        readonly nint _gradPointer;

        public FlatSegment(IReadOnlyList<Parameter> parameters, Func<int, IOptimizerLaw> lawFactory, string what)
        {
            if (parameters.Count == 0) throw new ArgumentException($"{what} has no parameters");
            var dtype = parameters[0].dtype;
            if (dtype != ScalarType.Float32 && dtype != ScalarType.Float64)
                throw new ArgumentException($"{what}: an AE law steps float32 or float64 parameters, not {dtype}");
            long total = 0;
            foreach (var p in parameters)
            {
                if (p.dtype != dtype)
                    throw new ArgumentException($"{what} mixes {dtype} and {p.dtype} parameters; one controller steps one vector of one type (give each type its own parameter group and controller)");
                if (p.device_type != DeviceType.CPU)
                    throw new ArgumentException($"{what}: the parameters must be on the CPU (the law steps host memory), not on {p.device}");
                total += p.numel();
            }
            if (total > Array.MaxLength)
                throw new ArgumentException($"{what} has {total} parameters; one controller steps at most {Array.MaxLength}");

            Length = (int)total;
            IsSingle = dtype == ScalarType.Float32;
            _parameters = new Parameter[parameters.Count];
            _dataViews = new Tensor[parameters.Count];
            _gradViews = new Tensor[parameters.Count];
            _dataAddresses = new nint[parameters.Count];
            _gradAddresses = new nint[parameters.Count];
            _byteLengths = new long[parameters.Count];
            using (no_grad())
            {
                _data = empty(total, dtype).DetachFromDisposeScope();
                _grad = zeros(total, dtype).DetachFromDisposeScope();
                long offset = 0;
                for (int i = 0; i < parameters.Count; i++)
                {
                    var p = parameters[i];
                    long count = p.numel();
                    _parameters[i] = p;
                    _dataViews[i] = _data.narrow(0, offset, count).view(p.shape).DetachFromDisposeScope();
                    _gradViews[i] = _grad.narrow(0, offset, count).view(p.shape).DetachFromDisposeScope();
                    _dataViews[i].copy_(p);
                    using (var g = p.grad)
                        if (g is not null) _gradViews[i].copy_(g);
                    p.set_(_dataViews[i]);
                    p.grad = _gradViews[i];
                    _byteLengths[i] = count * ElementSize;
                    _dataAddresses[i] = Address(_dataViews[i]);
                    _gradAddresses[i] = Address(_gradViews[i]);
                    offset += count;
                }
            }
            _dataPointer = Address(_data);
            _gradPointer = Address(_grad);
            Law = lawFactory(Length) ?? throw new ArgumentException($"{what}: the law factory returned null");
            if (Law.Dimension != Length)
                throw new ArgumentException($"{what}: the law {Law.LawName} has dimension {Law.Dimension}, the parameters {Length}");
        }

        /// <summary>The controller.</summary>
        public IOptimizerLaw Law { get; }

        /// <summary>Elements of the vector.</summary>
        public int Length { get; }

        /// <summary>float32 parameters (else float64).</summary>
        public bool IsSingle { get; }

        int ElementSize => IsSingle ? sizeof(float) : sizeof(double);

        public IReadOnlyList<Parameter> Parameters => _parameters;

        /// <summary>The parameters' storage, one vector (a tensor over the same memory).</summary>
        public Tensor Data => _data;

        /// <summary>The gradients' storage.</summary>
        public Tensor Grad => _grad;

        public Span<float> DataSingle => new((void*)_dataPointer, Length);
        public Span<float> GradSingle => new((void*)_gradPointer, Length);
        public Span<double> DataDouble => new((void*)_dataPointer, Length);
        public Span<double> GradDouble => new((void*)_gradPointer, Length);

        /// <summary>One step of the law on the vector, in place.</summary>
        public void Step(double loss)
        {
            if (IsSingle) Law.Step((float)loss, GradSingle, DataSingle);
            else Law.Step(loss, GradDouble, DataDouble);
        }

        /// <summary>
        /// Makes sure every gradient is the buffer's view again: a parameter whose gradient was set to
        /// none (<c>Module.zero_grad()</c>) has its slice zeroed, one whose gradient autograd replaced
        /// has it copied in; either way the view is attached again. A parameter whose data left the
        /// buffer (the model was moved or converted) is an error.
        /// </summary>
        public void AttachGradients()
        {
            for (int i = 0; i < _parameters.Length; i++)
            {
                var p = _parameters[i];
                if (p.IsInvalid || !p.is_contiguous() || Address(p) != _dataAddresses[i] || p.numel() * ElementSize != _byteLengths[i])
                    throw new InvalidOperationException(
                        $"parameter {i} of the optimizer no longer lives in the optimizer's buffer: was the model moved, converted or re-created after the optimizer was built?");
                using var g = p.grad;
                if (g is not null && g.is_contiguous() && Address(g) == _gradAddresses[i]) continue;
                using (no_grad())
                {
                    if (g is null) _gradViews[i].zero_();
                    else _gradViews[i].copy_(g);
                    p.grad = _gradViews[i];
                }
            }
        }

        /// <summary>Zeroes every gradient in place (one pass over the buffer) and attaches the views again.</summary>
        public void ZeroGrad()
        {
            if (IsSingle) GradSingle.Clear();
            else GradDouble.Clear();
            for (int i = 0; i < _parameters.Length; i++)
            {
                using var g = _parameters[i].grad;
                if (g is null || Address(g) != _gradAddresses[i]) _parameters[i].grad = _gradViews[i];
            }
        }

        static nint Address(Tensor t) => t.numel() == 0 ? 0 : (nint)Unsafe(t.bytes);

        static void* Unsafe(Span<byte> bytes) => System.Runtime.CompilerServices.Unsafe.AsPointer(ref MemoryMarshal.GetReference(bytes));

        public void Dispose()
        {
            foreach (var v in _dataViews) v.Dispose();
            foreach (var v in _gradViews) v.Dispose();
            _data.Dispose();
            _grad.Dispose();
        }
    }
}
