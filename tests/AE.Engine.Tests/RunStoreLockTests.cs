using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Data.Sqlite;
using Xunit;

namespace AE.Engine.Tests
{
    /// <summary>A run store that waits for another process's lock says so once, goes on waiting, and gets the database when it is let go.</summary>
    public class RunStoreLockTests
    {
        [Fact]
        public async Task A_store_waiting_for_another_writer_says_so_once_and_goes_on_when_released()
        {
            string db = Path.Combine(Path.GetTempPath(), "ae-engine-" + Guid.NewGuid().ToString("N") + ".db");
            try
            {
                int told = 0;
                using var store = RunStore.Open(db, () => Interlocked.Increment(ref told));
                Assert.Equal(0, told);   // nothing held it
                using var other = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Pooling = false }.ToString());
                other.Open();
                for (int round = 0; round < 2; round++)
                {
                    Execute(other, "BEGIN EXCLUSIVE;");
                    var reading = Task.Run(store.NextId);
                    // The first wait is told (after a couple of seconds); the second, on the same store, is not told again.
                    if (round == 0) Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref told) > 0, TimeSpan.FromSeconds(60)), "never told it waits");
                    else await Task.Delay(3000);
                    Assert.False(reading.IsCompleted);
                    Execute(other, "COMMIT;");
                    Assert.Equal(1, await reading);
                    Assert.Equal(1, told);
                }
            }
            finally
            {
                SqliteConnection.ClearAllPools();
                File.Delete(db);
            }
        }

        private static void Execute(SqliteConnection connection, string sql)
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }
    }
}
