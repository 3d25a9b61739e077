using System;
using System.Collections.Generic;
using System.IO;
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
        // Parameters whose grad was None at the last AttachGradients: the step puts their values back.
        readonly bool[] _frozen;
        // Their values while the law steps (native memory: a step allocates nothing on the managed heap); grown as needed.
        byte* _frozenValues;
        long _frozenCapacity;

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
            // The law before the parameters are re-pointed: a factory that fails, or builds a law of another length, leaves them as they were.
            Law = lawFactory(Length) ?? throw new ArgumentException($"{what}: the law factory returned null");
            if (Law.Dimension != Length)
                throw new ArgumentException($"{what}: the law {Law.LawName} has dimension {Law.Dimension}, the parameters {Length}");
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
                    p.set_(_dataViews[i]);
                    using (var g = p.grad)
                    {
                        if (g is not null) _gradViews[i].copy_(g);
                        // A parameter frozen with requires_grad_(false) keeps no gradient: a view would make it trainable.
                        if (g is not null || p.requires_grad) p.grad = _gradViews[i];
                    }
                    _byteLengths[i] = count * ElementSize;
                    _dataAddresses[i] = Address(_dataViews[i]);
                    _gradAddresses[i] = Address(_gradViews[i]);
                    offset += count;
                }
            }
            _dataPointer = Address(_data);
            _gradPointer = Address(_grad);
            _frozen = new bool[parameters.Count];
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

        /// <summary>
        /// One step of the law on the vector, in place. The parameters <see cref="AttachGradients"/> found without a gradient
        /// keep their values: the law steps them (it sees zeros for their gradient) and they are put back.
        /// </summary>
        public void Step(double loss)
        {
            long frozen = KeepFrozenValues();
            if (IsSingle) Law.Step((float)loss, GradSingle, DataSingle);
            else Law.Step(loss, GradDouble, DataDouble);
            if (frozen > 0) RestoreFrozenValues();
        }

        /// <summary>
        /// Makes sure every gradient is the buffer's view again: one whose gradient autograd replaced has it copied in and the
        /// view attached again. A parameter whose gradient is none (<c>requires_grad_(false)</c>, <c>Module.zero_grad()</c>)
        /// is frozen for the next step, as PyTorch's optimizers skip it: its slice is zeroed and it keeps no gradient (a view
        /// would make it trainable again). A parameter whose data left the buffer (the model was moved or converted) is an error.
        /// </summary>
        public void AttachGradients()
        {
            for (int i = 0; i < _parameters.Length; i++)
            {
                var p = _parameters[i];
                CheckInBuffer(i, p);
                using var g = p.grad;
                _frozen[i] = g is null;
                if (g is null)
                {
                    NativeMemory.Clear((void*)_gradAddresses[i], (nuint)_byteLengths[i]);
                    continue;
                }
                if (g.is_contiguous() && Address(g) == _gradAddresses[i]) continue;
                using (no_grad())
                {
                    _gradViews[i].copy_(g);
                    p.grad = _gradViews[i];
                }
            }
        }

        /// <summary>Copies the frozen parameters' values aside, one after another; returns their bytes.</summary>
        long KeepFrozenValues()
        {
            long bytes = 0;
            for (int i = 0; i < _frozen.Length; i++) if (_frozen[i]) bytes += _byteLengths[i];
            if (bytes == 0) return 0;
            if (bytes > _frozenCapacity)
            {
                _frozenValues = (byte*)NativeMemory.Realloc(_frozenValues, (nuint)bytes);
                _frozenCapacity = bytes;
            }
            long offset = 0;
            for (int i = 0; i < _frozen.Length; i++)
            {
                if (!_frozen[i]) continue;
                Buffer.MemoryCopy((void*)_dataAddresses[i], _frozenValues + offset, _byteLengths[i], _byteLengths[i]);
                offset += _byteLengths[i];
            }
            return bytes;
        }

        /// <summary>Puts back what <see cref="KeepFrozenValues"/> copied aside, in the same order.</summary>
        void RestoreFrozenValues()
        {
            long offset = 0;
            for (int i = 0; i < _frozen.Length; i++)
            {
                if (!_frozen[i]) continue;
                Buffer.MemoryCopy(_frozenValues + offset, (void*)_dataAddresses[i], _byteLengths[i], _byteLengths[i]);
                offset += _byteLengths[i];
            }
        }

        /// <summary>A parameter whose data left the buffer (the model was moved or converted, which disposes it) is an error that says so.</summary>
        private void CheckInBuffer(int i, Tensor p)
        {
            if (p.IsInvalid || !p.is_contiguous() || Address(p) != _dataAddresses[i] || p.numel() * ElementSize != _byteLengths[i])
                throw new InvalidOperationException(
                    $"parameter {i} of the optimizer no longer lives in the optimizer's buffer: was the model moved, converted or re-created after the optimizer was built?");
        }

        /// <summary>
        /// Zeroes every gradient in place (one pass over the buffer) and attaches the views again where autograd replaced them;
        /// a parameter that no longer requires a gradient has it set to none.
        /// </summary>
        public void ZeroGrad()
        {
            // Checked before any gradient is read: a model moved or converted since has disposed these tensors.
            for (int i = 0; i < _parameters.Length; i++) CheckInBuffer(i, _parameters[i]);
            if (IsSingle) GradSingle.Clear();
            else GradDouble.Clear();
            for (int i = 0; i < _parameters.Length; i++)
            {
                var p = _parameters[i];
                using var g = p.grad;
                // None stays none: the parameter is frozen (autograd gives it a gradient again if it requires one).
                if (g is null) continue;
                // One that no longer requires a gradient gets none, as PyTorch's zero_grad (set_to_none) gives it: frozen
                // from now on, where a zeroed view would let the law's momentum and noise go on moving it.
                if (!p.requires_grad) p.grad = null;
                else if (Address(g) != _gradAddresses[i]) p.grad = _gradViews[i];
            }
        }

        /// <summary>The law's state from <paramref name="reader"/>; a state stepped in the other precision than this vector's is refused.</summary>
        public void ReadLawState(BinaryReader reader)
        {
            if (IsSingle) LawState.Read<float>(Law, reader);
            else LawState.Read<double>(Law, reader);
        }

        /// <summary>The law's state from bytes, as <see cref="ReadLawState"/>.</summary>
        public void LoadLawState(byte[] state)
        {
            if (IsSingle) LawState.Load<float>(Law, state);
            else LawState.Load<double>(Law, state);
        }

        static nint Address(Tensor t) => t.numel() == 0 ? 0 : (nint)Unsafe(t.bytes);

        static void* Unsafe(Span<byte> bytes) => System.Runtime.CompilerServices.Unsafe.AsPointer(ref MemoryMarshal.GetReference(bytes));

        public void Dispose()
        {
            NativeMemory.Free(_frozenValues);
            _frozenValues = null;
            _frozenCapacity = 0;
            foreach (var v in _dataViews) v.Dispose();
            foreach (var v in _gradViews) v.Dispose();
            _data.Dispose();
            _grad.Dispose();
        }
    }
}
