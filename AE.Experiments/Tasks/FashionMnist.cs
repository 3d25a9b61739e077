using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;

namespace AE.Experiments.Tasks
{
    /// <summary>The data set's files are not there; the message is one line naming the directory and the Debian package.</summary>
    public sealed class DatasetNotFoundException : Exception
    {
        public DatasetNotFoundException() { }

        public DatasetNotFoundException(string message) : base(message) { }

        public DatasetNotFoundException(string message, Exception innerException) : base(message, innerException) { }
    }

    /// <summary>One IDX file (LeCun's format: a magic number, big-endian dimensions, unsigned bytes).</summary>
    public sealed class IdxArray
    {
        internal IdxArray(int[] shape, int totalCount, byte[] data)
        {
            Shape = shape;
            TotalCount = totalCount;
            Data = data;
        }

        /// <summary>The dimensions as the header gives them (the first is the item count of the whole file).</summary>
        public ReadOnlyMemory<int> Shape { get; }

        /// <summary>Items in the file (the header's first dimension).</summary>
        public int TotalCount { get; }

        /// <summary>Items read (fewer than <see cref="TotalCount"/> when a limit was given).</summary>
        public int Count => ItemSize == 0 ? 0 : Data.Length / ItemSize;

        /// <summary>Bytes per item: the product of the dimensions after the first.</summary>
        public int ItemSize
        {
            get
            {
                int size = 1;
                var s = Shape.Span;
                for (int i = 1; i < s.Length; i++) size *= s[i];
                return size;
            }
        }

        /// <summary>The items read, one after another.</summary>
        public byte[] Data { get; }

        /// <summary>
        /// Reads an IDX file of unsigned bytes, gzip-compressed or not (told by its first two bytes),
        /// keeping at most <paramref name="maxItems"/> items (the rest is not decompressed).
        /// </summary>
        /// <exception cref="InvalidDataException">not an IDX file of unsigned bytes, or truncated</exception>
        public static IdxArray Read(string path, int maxItems = int.MaxValue)
        {
            if (path is null) throw new ArgumentNullException(nameof(path));
            if (maxItems < 0) throw new ArgumentOutOfRangeException(nameof(maxItems), maxItems, "maxItems must be >= 0");
            string name = Path.GetFileName(path);
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            int b0 = file.ReadByte(), b1 = file.ReadByte();
            file.Position = 0;
            using Stream stream = b0 == 0x1F && b1 == 0x8B ? new GZipStream(file, CompressionMode.Decompress) : file;

            Span<byte> magic = stackalloc byte[4];
            ReadExactly(stream, magic, name, "the header");
            if (magic[0] != 0 || magic[1] != 0) throw new InvalidDataException(name + ": not an IDX file (the magic number does not start with two zero bytes)");
            if (magic[2] != 0x08) throw new InvalidDataException(name + ": IDX element type 0x" + magic[2].ToString("X2", System.Globalization.CultureInfo.InvariantCulture) + " is not unsigned byte (0x08)");
            int rank = magic[3];
            if (rank < 1 || rank > 4) throw new InvalidDataException(name + ": IDX rank " + rank + " (expected 1 to 4)");
            var shape = new int[rank];
            Span<byte> word = stackalloc byte[4];
            long itemSize = 1;
            for (int i = 0; i < rank; i++)
            {
                ReadExactly(stream, word, name, "the header");
                int d = BinaryPrimitives.ReadInt32BigEndian(word);
                if (d < 0) throw new InvalidDataException(name + ": dimension " + i + " is negative");
                shape[i] = d;
                if (i > 0) itemSize *= d;
            }
            int count = Math.Min(shape[0], maxItems);
            long bytes = count * itemSize;
            if (bytes > int.MaxValue) throw new InvalidDataException(name + ": too large to load (" + bytes + " bytes)");
            var data = new byte[bytes];
            ReadExactly(stream, data, name, count + " items");
            return new IdxArray(shape, shape[0], data);
        }

        private static void ReadExactly(Stream stream, Span<byte> buffer, string name, string what)
        {
            int read = 0;
            while (read < buffer.Length)
            {
                int n = stream.Read(buffer.Slice(read));
                if (n == 0) throw new InvalidDataException(name + ": truncated (ended while reading " + what + ")");
                read += n;
            }
        }
    }

    /// <summary>Which file pair of Fashion-MNIST.</summary>
    public enum FashionMnistSplit
    {
        /// <summary>train-*: 60,000 images.</summary>
        Train,

        /// <summary>t10k-*: 10,000 images.</summary>
        Test,
    }

    /// <summary>
    /// Fashion-MNIST (Zalando; 28×28 grey images of 10 clothing classes) read from its IDX files, as the
    /// Debian package <c>dataset-fashion-mnist</c> installs them under
    /// <c>/usr/share/datasets/fashion-mnist/</c> (gzip-compressed; uncompressed files are read too).
    /// The environment variable <c>AE_FASHION_MNIST_DIR</c> points elsewhere.
    /// </summary>
    public sealed class FashionMnist
    {
        public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

        public const string DebianPackage = "dataset-fashion-mnist";

        public const string DirectoryVariable = "AE_FASHION_MNIST_DIR";

        public const int ImageRows = 28, ImageColumns = 28, ClassCount = 10;

        private FashionMnist(FashionMnistSplit split, int totalCount, byte[] images, byte[] labels)
        {
            Split = split;
            TotalCount = totalCount;
            Images = images;
            Labels = labels;
        }

        public FashionMnistSplit Split { get; }

        /// <summary>Images in the files (60,000 or 10,000).</summary>
        public int TotalCount { get; }

        /// <summary>Images loaded.</summary>
        public int Count => Labels.Length;

        public static int PixelCount => ImageRows * ImageColumns;

        /// <summary>Count × 784 pixels, 0..255, row-major per image.</summary>
        public byte[] Images { get; }

        /// <summary>Count labels, 0..9.</summary>
        public byte[] Labels { get; }

        public ReadOnlySpan<byte> Image(int index) => Images.AsSpan(checked(index * PixelCount), PixelCount);

        /// <summary>
        /// What the loaded images are, whatever files held them (gzip-compressed or not, in any folder): their count and
        /// the first 16 hex digits of the SHA-256 of their pixels, then their labels.
        /// </summary>
        public string Digest()
        {
            using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
            hash.AppendData(Images);
            hash.AppendData(Labels);
            return Count.ToString(System.Globalization.CultureInfo.InvariantCulture) + " images (sha256 " + Convert.ToHexString(hash.GetHashAndReset(), 0, 8).ToLowerInvariant() + ")";
        }

        /// <summary>The directory read: <c>AE_FASHION_MNIST_DIR</c> when set, else <see cref="DefaultDirectory"/>.</summary>
        public static string Directory
        {
            get
            {
                string? custom = Environment.GetEnvironmentVariable(DirectoryVariable);
                return string.IsNullOrWhiteSpace(custom) ? DefaultDirectory : custom;
            }
        }

        /// <summary>Whether all four files are there (compressed or not).</summary>
        public static bool IsAvailable(string? directory = null)
        {
            string dir = directory ?? Directory;
            foreach (var split in new[] { FashionMnistSplit.Train, FashionMnistSplit.Test })
            {
                if (Find(dir, FilePrefix(split) + "-images-idx3-ubyte") is null || Find(dir, FilePrefix(split) + "-labels-idx1-ubyte") is null) return false;
            }
            return true;
        }

        /// <summary>Loads the first <paramref name="maxItems"/> images and labels of a split.</summary>
        /// <exception cref="DatasetNotFoundException">a file is missing (one line naming the Debian package)</exception>
        /// <exception cref="InvalidDataException">a file is malformed</exception>
        public static FashionMnist Load(FashionMnistSplit split, int maxItems = int.MaxValue, string? directory = null)
        {
            string dir = directory ?? Directory;
            string imagesPath = Require(dir, FilePrefix(split) + "-images-idx3-ubyte");
            string labelsPath = Require(dir, FilePrefix(split) + "-labels-idx1-ubyte");
            IdxArray images, labels;
            try
            {
                images = IdxArray.Read(imagesPath, maxItems);
                labels = IdxArray.Read(labelsPath, maxItems);
            }
            catch (InvalidDataException ex)
            {
                throw new InvalidDataException(ex.Message + " (in " + dir + ")", ex);
            }
            var shape = images.Shape.Span;
            if (shape.Length != 3 || shape[1] != ImageRows || shape[2] != ImageColumns)
                throw new InvalidDataException(Path.GetFileName(imagesPath) + ": expected images of 28×28, the header says " + string.Join("×", shape.ToArray()));
            if (labels.Shape.Length != 1)
                throw new InvalidDataException(Path.GetFileName(labelsPath) + ": expected a vector of labels, the header has rank " + labels.Shape.Length);
            if (labels.TotalCount != images.TotalCount)
                throw new InvalidDataException(Path.GetFileName(labelsPath) + ": " + labels.TotalCount + " labels for " + images.TotalCount + " images");
            foreach (byte label in labels.Data)
                if (label >= ClassCount) throw new InvalidDataException(Path.GetFileName(labelsPath) + ": label " + label + " is not a class 0..9");
            return new FashionMnist(split, images.TotalCount, images.Data, labels.Data);
        }

        private static string FilePrefix(FashionMnistSplit split) => split == FashionMnistSplit.Train ? "train" : "t10k";

        private static string? Find(string directory, string baseName)
        {
            foreach (string candidate in new[] { baseName + ".gz", baseName })
            {
                string path = Path.Combine(directory, candidate);
                if (File.Exists(path)) return path;
            }
            return null;
        }

        private static string Require(string directory, string baseName) =>
            Find(directory, baseName) ?? throw new DatasetNotFoundException(
                "Fashion-MNIST not found: no " + baseName + "[.gz] in " + directory + "; install the Debian package " + DebianPackage +
                " (apt-get install " + DebianPackage + ") or set " + DirectoryVariable);
    }
}
