using System;
using System.IO;
using AE.Engine;
using Xunit;

namespace AE.Engine.Tests
{
    /// <summary>
    /// A task read again in another process (a cluster's worker) from its spec must be the one the client read: a case file
    /// that differs there was run as another problem and stored under the client's task, without a word.
    /// </summary>
    public class TaskSourceTests
    {
        private static string WriteCase(string dir, double a)
        {
            string json = Path.Combine(dir, "q1.json");
            File.WriteAllText(json, "{\"name\": \"q1\", \"problem\": {\"kind\": \"quadratic\", \"A\": [[" + a.ToString(System.Globalization.CultureInfo.InvariantCulture)
                + "]], \"b\": [1.0]}, \"theta0\": [0.5], \"steps\": 2, \"config\": {}, \"columns\": [\"step\", \"theta0\"], \"tolerance\": {\"rel\": 1e-9, \"abs\": 1e-12}}");
            File.WriteAllText(Path.Combine(dir, "q1.csv"), "step,theta0\n1,0\n2,0\n");
            return json;
        }

        [Fact]
        public void A_case_read_again_from_its_spec_with_the_same_files_is_the_same_task()
        {
            string dir = Directory.CreateTempSubdirectory("ae-task-").FullName;
            try
            {
                var client = TaskSource.FromCase(WriteCase(dir, 2.0));
                var worker = TaskSource.FromSpec(client.Spec, client.Identity);
                Assert.Equal(client.Identity, worker.Identity);
                Assert.StartsWith("case:q1 sha256:", client.Identity, StringComparison.Ordinal);
            }
            finally { Directory.Delete(dir, true); }
        }

        [Fact]
        public void A_case_whose_file_differs_where_it_is_read_again_is_refused_in_one_line()
        {
            string dir = Directory.CreateTempSubdirectory("ae-task-").FullName;
            try
            {
                string path = WriteCase(dir, 2.0);
                var client = TaskSource.FromCase(path);
                WriteCase(dir, 3.0);

                var ex = Assert.Throws<EngineException>(() => TaskSource.FromSpec(client.Spec, client.Identity));

                var other = TaskSource.FromCase(path);
                Assert.NotEqual(client.Identity, other.Identity);
                Assert.Equal("the case " + path + " on this worker differs from the client's (" + other.Identity + ", the client's " + client.Identity + ")", ex.Message);
            }
            finally { Directory.Delete(dir, true); }
        }

        [Fact]
        public void A_catalog_task_is_its_name_everywhere() =>
            Assert.Equal("quadratic", TaskSource.FromSpec(TaskSource.FromCatalog("quadratic").Spec, "quadratic").Identity);
    }
}
