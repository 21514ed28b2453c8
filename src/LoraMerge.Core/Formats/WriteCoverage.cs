namespace LoraMerge.Formats;

/// <summary>Which bytes of one tensor have been written: sorted, merged, non-overlapping intervals.</summary>
internal sealed class WriteCoverage(long length)
{
    private readonly List<(long Start, long End)> _intervals = [];

    public long Length { get; } = length;

    public bool IsComplete
    {
        get
        {
            lock (_intervals)
            {
                return Length == 0 || (_intervals.Count == 1 && _intervals[0] == (0, Length));
            }
        }
    }

    /// <summary>Records [start, end); false when any of those bytes were recorded before.</summary>
    public bool TryAdd(long start, long end)
    {
        if (start == end) return true;
        lock (_intervals)
        {
            // Index of the first interval that starts after `start`.
            int lo = 0, hi = _intervals.Count;
            while (lo < hi)
            {
                var mid = (lo + hi) / 2;
                if (_intervals[mid].Start <= start) lo = mid + 1;
                else hi = mid;
            }
            var next = lo;
            if (next > 0 && _intervals[next - 1].End > start) return false;
            if (next < _intervals.Count && _intervals[next].Start < end) return false;

            var joinsPrevious = next > 0 && _intervals[next - 1].End == start;
            var joinsNext = next < _intervals.Count && _intervals[next].Start == end;
            if (joinsPrevious && joinsNext)
            {
                _intervals[next - 1] = (_intervals[next - 1].Start, _intervals[next].End);
                _intervals.RemoveAt(next);
            }
            else if (joinsPrevious) _intervals[next - 1] = (_intervals[next - 1].Start, end);
            else if (joinsNext) _intervals[next] = (start, _intervals[next].End);
            else _intervals.Insert(next, (start, end));
            return true;
        }
    }

    /// <summary>The first byte range not yet written, for error messages.</summary>
    public (long Start, long End) FirstHole()
    {
        lock (_intervals)
        {
            long cursor = 0;
            foreach (var (s, e) in _intervals)
            {
                if (s > cursor) return (cursor, s);
                cursor = e;
            }
            return (cursor, Length);
        }
    }
}
