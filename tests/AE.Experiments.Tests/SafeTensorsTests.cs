using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using System.Text;
using AE.Experiments.Cells;
using AE.Runtime.Tensors;
using Xunit;

namespace AE.Experiments.Tests
{
    /// <summary>
    /// AE.Runtime's safetensors reader and writer: a round trip, a file laid out by torch-side tooling
    /// (tools/safetensors-from-golden.py --fixture: the header from the format's specification with json and
    /// struct, the tensor bytes from torch 1.13 in each dtype), the golden cells' params converted and read
    /// back bit for bit, and a one-line error naming the file for each kind of malformed file.
    /// </summary>
    public class SafeTensorsTests
    {
        private static string Fixture => Path.Combine(RepoPaths.Root, "tests", "AE.Experiments.Tests", "Data", "torch_dtypes.safetensors");

        [Fact]
        public void A_set_written_and_read_back_is_the_same_bits_shapes_dtypes_and_metadata()
        {
            var set = new SafeTensorSet();
            var doubles = new[] { 0.1, -0.0, double.Epsilon, 1e308, double.NaN, double.NegativeInfinity };
            var singles = new[] { 0.1f, -3.5f, float.Epsilon, float.MaxValue };
            set.Add("f_net.0.weight", SafeTensor.FromDoubles(new[] { 2, 3 }, doubles));
            set.Add("f_net.0.bias", SafeTensor.FromSingles(new[] { 4 }, singles));
            set.Add("scalar", SafeTensor.FromDoubles(Array.Empty<int>(), new[] { Math.PI }));
            set.Add("empty", SafeTensor.FromSingles(new[] { 0, 5 }, Array.Empty<float>()));
            set.Metadata["format"] = "pt";
            using var dir = new TempDirectory();
            string path = System.IO.Path.Combine(dir.Path, "w.safetensors");
            SafeTensors.Write(path, set);
            var back = SafeTensors.Read(path);

            Assert.Equal(new[] { "empty", "f_net.0.bias", "f_net.0.weight", "scalar" }, back.Names.OrderBy(n => n, StringComparer.Ordinal));
            Assert.Equal("pt", back.Metadata["format"]);
            Assert.Equal(SafeTensorDType.F64, back["f_net.0.weight"].DType);
            Assert.Equal(new[] { 2, 3 }, back["f_net.0.weight"].Shape);
            Assert.Equal(doubles.Select(BitConverter.DoubleToInt64Bits), back["f_net.0.weight"].Float64!.Select(BitConverter.DoubleToInt64Bits));
            Assert.Equal(SafeTensorDType.F32, back["f_net.0.bias"].DType);
            Assert.Equal(singles.Select(BitConverter.SingleToInt32Bits), back["f_net.0.bias"].Float32!.Select(BitConverter.SingleToInt32Bits));
            Assert.Empty(back["scalar"].Shape);
            Assert.Equal(Math.PI, back["scalar"].Float64![0]);
            Assert.Equal(new[] { 0, 5 }, back["empty"].Shape);
            Assert.Equal(0, back["empty"].Count);

            // The layout the format prescribes: the length, then a JSON header padded with spaces to 8 bytes.
            var bytes = File.ReadAllBytes(path);
            ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            Assert.Equal(0UL, n % 8);
            string header = Encoding.UTF8.GetString(bytes, 8, (int)n);
            Assert.StartsWith("{\"__metadata__\":{\"format\":\"pt\"}", header, StringComparison.Ordinal);
            Assert.Equal((long)(8 + n) + 6 * 8 + 1 * 8 + 4 * 4, bytes.Length);
        }

        [Fact]
        public void A_file_laid_out_by_torch_reads_every_dtype_with_its_values()
        {
            var set = SafeTensors.Read(Fixture);
            Assert.Equal("pt", set.Metadata["format"]);
            var a = set["a.f64"];
            Assert.Equal(SafeTensorDType.F64, a.DType);
            Assert.Equal(new[] { 2, 3 }, a.Shape);
            Assert.Equal(new[] { -0.5, -0.25, 0, 0.25, 0.5, 0.75 }, a.Float64);
            var b = set["b.f32"];   // the transpose of a's grid, in row-major order
            Assert.Equal(SafeTensorDType.F32, b.DType);
            Assert.Equal(new[] { 3, 2 }, b.Shape);
            Assert.Equal(new[] { -0.5f, 0.25f, -0.25f, 0.5f, 0f, 0.75f }, b.Float32);
            var c = set["c.f16"];   // 65504 is float16's largest, 2^-24 its smallest subnormal
            Assert.Equal(SafeTensorDType.F16, c.DType);
            Assert.Equal(new[] { 1.5f, -2f, 65504f, MathF.Pow(2, -24) }, c.Float32);
            var d = set["d.bf16"];
            Assert.Equal(SafeTensorDType.BF16, d.DType);
            Assert.Equal(new[] { 2, 2 }, d.Shape);
            Assert.Equal(new[] { 1.5f, -2f, 0.15625f, MathF.Pow(2, 100) }, d.Float32);
            Assert.Equal(new[] { 1.5, -2, 0.15625, Math.Pow(2, 100) }, d.ToDoubles());
            Assert.Empty(set["e.scalar"].Shape);
            Assert.Equal(3.25, set["e.scalar"].Float64![0]);
        }

        public static TheoryData<string> GoldenCells() => new() { "cell_amelayer.json", "cell_amed_synth.json", "cell_residual_dynamics.json" };

        [Theory]
        [MemberData(nameof(GoldenCells))]
        public void A_golden_files_params_converted_to_safetensors_and_back_equal_the_json_bit_for_bit(string golden)
        {
            var reference = CellReference.Load(System.IO.Path.Combine(RepoPaths.Golden, golden), golden);
            var set = new SafeTensorSet();
            foreach (var p in reference.Params) set.Add(p.Key, SafeTensor.FromDoubles(p.Value.Shape, p.Value.Values));
            var back = SafeTensors.Read(SafeTensors.ToBytes(set), golden);
            Assert.Equal(reference.Params.Keys.OrderBy(k => k, StringComparer.Ordinal), back.Names.OrderBy(k => k, StringComparer.Ordinal));
            foreach (var p in reference.Params)
            {
                Assert.Equal(p.Value.Shape, back[p.Key].Shape);
                Assert.Equal(p.Value.Values.Select(BitConverter.DoubleToInt64Bits), back[p.Key].Float64!.Select(BitConverter.DoubleToInt64Bits));
            }
        }

        [Fact]
        public void The_golden_params_converted_by_the_tools_script_read_back_as_the_json_values_bit_for_bit()
        {
            // Data/cell_amed_synth.params.safetensors: `tools/safetensors-from-golden.py ../shared/golden/cell_amed_synth.json`
            // (header from the specification with python's json and struct, data from torch's float64 bytes).
            const string golden = "cell_amed_synth.json";
            var reference = CellReference.Load(System.IO.Path.Combine(RepoPaths.Golden, golden), golden);
            var set = SafeTensors.Read(System.IO.Path.Combine(RepoPaths.Root, "tests", "AE.Experiments.Tests", "Data", "cell_amed_synth.params.safetensors"));
            Assert.StartsWith("AMEDSynth", set.Metadata["cell"], StringComparison.Ordinal);
            Assert.Equal(golden, set.Metadata["source"]);
            Assert.Equal(reference.Params.Count, set.Count);
            foreach (var p in reference.Params)
            {
                Assert.Equal(SafeTensorDType.F64, set[p.Key].DType);
                Assert.Equal(p.Value.Shape, set[p.Key].Shape);
                Assert.Equal(p.Value.Values.Select(BitConverter.DoubleToInt64Bits), set[p.Key].Float64!.Select(BitConverter.DoubleToInt64Bits));
            }
        }

        /// <summary>A file from a header text and a data length (the data bytes are zeros).</summary>
        private static byte[] File_(string header, int dataBytes, int? declaredHeaderLength = null)
        {
            var h = Encoding.UTF8.GetBytes(header);
            var bytes = new byte[8 + h.Length + dataBytes];
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)(declaredHeaderLength ?? h.Length));
            h.CopyTo(bytes, 8);
            return bytes;
        }

        public static TheoryData<byte[], string> Malformed() => new()
        {
            { new byte[] { 1, 0, 0 }, "truncated: 3 bytes, fewer than the 8 of the header length" },
            { File_("{}", 0, declaredHeaderLength: 40), "truncated: the header is 40 bytes but only 2 follow the length" },
            { File_("{\"x\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}}", 8), "tensor 'x' data_offsets [0, 16] run past the end of the data (8 bytes)" },
            { File_("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"y\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12),
                "tensor 'y' [4, 12) overlaps another tensor's bytes (which end at 8)" },
            { File_("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "bytes [0, 4) of the data belong to no tensor (the format allows no gap)" },
            { File_("{\"x\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8), "tensor 'x' has dtype 'I64', which is not read (F64, F32, F16, BF16 are)" },
            { File_("{\"x\":{\"dtype\":\"F64\",\"shape\":[2,2],\"data_offsets\":[0,24]}}", 24), "tensor 'x' of shape [2, 2] and dtype F64 needs 32 bytes, its data_offsets give 24" },
            { File_("{\"x\":{\"dtype\":\"F64\",\"shape\":[-1],\"data_offsets\":[0,8]}}", 8), "tensor 'x' has a shape that is not a list of whole numbers >= 0" },
            { File_("[1, 2]", 0), "the header is not a JSON object" },
            { Encoding.UTF8.GetBytes("law L {\n  dim n;\n}\n"), "not a safetensors file (one begins with the 8-byte length of its JSON header, then the header): its first 8 bytes give a header of 755232873848988012 bytes, over the format's limit of 100000000" },
            { Encoding.UTF8.GetBytes("{\"net\": {\"w\": [1, 2]}}\n"), "not a safetensors file (one begins with the 8-byte length of its JSON header, then the header): its first 8 bytes give a header of 2322206441176179323 bytes, over the format's limit of 100000000" },
            { File_("x}", 0, declaredHeaderLength: 40), "not a safetensors file (one begins with the 8-byte length of its JSON header, then the header)" },
            { File_("{\"x\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[0,8]},\"x\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[0,8]}}", 8), "the header names 'x' twice" },
        };

        [Theory]
        [MemberData(nameof(Malformed))]
        public void A_malformed_file_is_one_line_naming_the_file_and_what_is_wrong(byte[] bytes, string what)
        {
            var ex = Assert.Throws<SafeTensorsException>(() => SafeTensors.Read(bytes, "w.safetensors"));
            Assert.Equal("w.safetensors: " + what, ex.Message);
        }

        [Fact]
        public void A_file_that_is_not_there_names_the_path()
        {
            var ex = Assert.Throws<SafeTensorsException>(() => SafeTensors.Read("/nonexistent/p.safetensors"));
            Assert.StartsWith("/nonexistent/p.safetensors: cannot read the file: ", ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', ex.Message);
        }

        [Fact]
        public void A_shape_that_does_not_hold_the_values_is_refused()
        {
            var ex = Assert.Throws<ArgumentException>(() => SafeTensor.FromDoubles(new[] { 2, 2 }, new double[3]));
            Assert.StartsWith("the shape [2, 2] holds 4 values, not 3", ex.Message, StringComparison.Ordinal);
        }
    }
}
