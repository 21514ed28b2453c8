using LoraMerge.Cli.Progress;
using LoraMerge.Merging;

namespace LoraMerge.Cli.Tests;

public class ProgressTests
{
    private static MergeProgress At(double seconds, int done, long bytesDone) =>
        new(done, 10, bytesDone, 100_000_000, TimeSpan.FromSeconds(seconds), $"t{done}");

    [Fact]
    public void Text_shows_percent_tensors_megabytes_rate_and_eta()
    {
        var text = ProgressText.Format(At(2, 4, 40_000_000));

        Assert.Equal(" 40% 4/10 tensors 40.0/100.0 MB 20.0 MB/s ETA 0:03", text);
    }

    [Fact]
    public void Eta_is_unknown_before_any_bytes_and_zero_when_done()
    {
        Assert.Equal("--:--", ProgressText.FormatEta(At(0, 0, 0)));
        Assert.Equal("0:00", ProgressText.FormatEta(At(5, 10, 100_000_000)));
        Assert.Equal("1:01:40", ProgressText.FormatDuration(TimeSpan.FromSeconds(3700)));
    }

    [Fact]
    public void Plain_log_writes_at_most_one_line_per_second_and_always_the_final_one()
    {
        var writer = new StringWriter();
        var log = new PlainProgressLog(writer);

        log.Report(At(0.1, 1, 10_000_000));   // first: written
        log.Report(At(0.6, 2, 20_000_000));   // < 1 s later: skipped
        log.Report(At(1.2, 3, 30_000_000));   // written
        log.Report(At(1.9, 4, 40_000_000));   // skipped
        log.Report(At(2.0, 9, 90_000_000));   // skipped
        log.Report(At(2.1, 10, 100_000_000)); // final: written although < 1 s later
        log.Complete();

        var lines = writer.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.All(lines, l => Assert.StartsWith("progress: ", l));
        Assert.Contains("1/10 tensors", lines[0]);
        Assert.Contains("3/10 tensors", lines[1]);
        Assert.Contains("100% 10/10 tensors", lines[2]);
    }

    [Fact]
    public void Plain_log_ends_with_the_last_report_when_the_merge_stops_early()
    {
        var writer = new StringWriter();
        var log = new PlainProgressLog(writer);

        log.Report(At(0.1, 1, 10_000_000));
        log.Report(At(0.5, 2, 20_000_000));
        log.Complete();

        var lines = writer.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Contains("2/10 tensors", lines[1]);
    }

    [Fact]
    public void Terminal_bar_redraws_one_line_and_ends_it_on_complete()
    {
        var writer = new StringWriter();
        var bar = new TerminalProgressBar(writer, width: 120);

        bar.Report(At(0.1, 1, 10_000_000));
        bar.Report(At(0.15, 2, 20_000_000)); // within 100 ms: not drawn
        bar.Report(At(0.5, 5, 50_000_000));
        bar.Report(At(1.0, 10, 100_000_000));
        bar.Complete();

        var text = writer.ToString();
        Assert.Equal(3, text.Count(ch => ch == '\r'));
        Assert.DoesNotContain("2/10", text);
        Assert.EndsWith(Environment.NewLine, text);
        Assert.Single(text.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("[########################] 100% 10/10 tensors", text);
    }

    [Fact]
    public void Terminal_bar_clears_itself_before_a_warning_and_fits_the_width()
    {
        var writer = new StringWriter();
        var bar = new TerminalProgressBar(writer, width: 40);

        bar.Report(At(0.1, 1, 10_000_000));
        bar.WriteLine("warning LORA1901: something");
        bar.Complete();

        var parts = writer.ToString().Split('\r');
        Assert.All(parts, p => Assert.True(p.TrimEnd('\n', '\r').Length <= 39, $"'{p}' is wider than the terminal"));
        Assert.EndsWith("warning LORA1901: something" + Environment.NewLine, writer.ToString());
    }
}
