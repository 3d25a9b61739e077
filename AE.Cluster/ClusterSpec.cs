using System;
using System.Globalization;
using System.Net;

namespace AE.Cluster
{
    /// <summary>
    /// Where a cluster is: <c>localhost[:PORT]</c>, workers on this machine whose membership is kept by the primary
    /// worker (Orleans' development clustering). Worker <c>k</c> listens for silos on PORT + 2k and for clients on
    /// PORT + 2k + 1; worker 0 is the primary, and clients connect through its gateway (PORT + 1). PORT is 11111 unless given.
    /// </summary>
    public sealed record ClusterSpec(int Port)
    {
        public const int DefaultPort = 11111;

        /// <summary>The largest worker index (so that every port stays below 65536 for any PORT the spec admits).</summary>
        public const int MaxWorker = 99;

        /// <summary>Orleans' cluster and service id of every ae cluster.</summary>
        public const string ClusterId = "ae";

        public static ClusterSpec Parse(string text)
        {
            if (text is null) throw new ArgumentNullException(nameof(text));
            const string host = "localhost";
            if (text == host) return new ClusterSpec(DefaultPort);
            if (text.StartsWith(host + ":", StringComparison.Ordinal)
                && int.TryParse(text.AsSpan(host.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port >= 1024 && port <= 65535 - 2 * MaxWorker - 1)
                return new ClusterSpec(port);
            throw new FormatException("invalid cluster '" + text + "'; expected localhost or localhost:PORT (PORT from 1024 to " + (65535 - 2 * MaxWorker - 1).ToString(CultureInfo.InvariantCulture) + ")");
        }

        public int SiloPort(int worker) => Port + 2 * worker;

        public int GatewayPort(int worker) => Port + 2 * worker + 1;

        /// <summary>The primary worker's silo endpoint, which every worker joins.</summary>
        public IPEndPoint Primary => new(IPAddress.Loopback, SiloPort(0));

        public override string ToString() => "localhost:" + Port.ToString(CultureInfo.InvariantCulture);
    }
}
