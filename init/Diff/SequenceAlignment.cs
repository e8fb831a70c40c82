namespace Capture.Init.Diff;

/// <summary>
/// Lines up a chain's planned rules with its live ones: which are in order on both sides (a longest common
/// subsequence), and for the rest, which planned rule is found elsewhere in the live chain (moved). Linear when the
/// chains agree or differ in one place: the common prefix and suffix are matched first and only the middle goes
/// through the quadratic table; a middle too big for it (a chain of thousands of <c>-d</c> ports, reordered) pairs equal
/// rules by hash and keeps the longest run that is in order on both sides, in O(n log n). Thousands of rules must not
/// cost seconds or gigabytes.
/// </summary>
internal static class SequenceAlignment
{
    /// <summary>Beyond this many cells (4 MB of ints) the middle is aligned by <see cref="LongestIncreasingRun{T}"/> instead.</summary>
    private const long MaxTableCells = 1L << 20;

    /// <summary>
    /// Marks in <paramref name="leftKept"/> the left items that are in the same order on both sides; then gives for each
    /// unmarked left item the index of an equal right item not otherwise matched (the first, each claimed once) or -1,
    /// in <paramref name="foundAt"/>; <paramref name="rightClaimed"/> says which right items matched at all.
    /// </summary>
    public static void Align<T>(IReadOnlyList<T> left, IReadOnlyList<T> right, out bool[] leftKept, out bool[] rightClaimed, out int[] foundAt)
        where T : IEquatable<T>
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        int n = left.Count;
        int m = right.Count;
        leftKept = new bool[n];
        bool[] rightKept = new bool[m];
        int low = 0;
        while (low < n && low < m && left[low].Equals(right[low]))
        {
            leftKept[low] = rightKept[low] = true;
            low++;
        }

        int highLeft = n;
        int highRight = m;
        while (highLeft > low && highRight > low && left[highLeft - 1].Equals(right[highRight - 1]))
        {
            leftKept[--highLeft] = rightKept[--highRight] = true;
        }

        if ((long)(highLeft - low) * (highRight - low) <= MaxTableCells)
        {
            LongestCommonSubsequence(left, right, low, highLeft, highRight, leftKept, rightKept);
        }
        else
        {
            LongestIncreasingRun(left, right, low, highLeft, highRight, leftKept, rightKept);
        }

        // The rest: each left item claims the first equal right item nobody claimed, found by hash, not by scanning.
        var unclaimed = new Dictionary<T, Queue<int>>();
        for (int j = low; j < highRight; j++)
        {
            if (!rightKept[j])
            {
                if (!unclaimed.TryGetValue(right[j], out Queue<int>? positions))
                {
                    unclaimed[right[j]] = positions = new Queue<int>();
                }

                positions.Enqueue(j);
            }
        }

        rightClaimed = rightKept;
        foundAt = new int[n];
        for (int i = 0; i < n; i++)
        {
            foundAt[i] = -1;
            if (!leftKept[i] && unclaimed.TryGetValue(left[i], out Queue<int>? positions) && positions.Count > 0)
            {
                foundAt[i] = positions.Dequeue();
                rightClaimed[foundAt[i]] = true;
            }
        }
    }

    private static void LongestCommonSubsequence<T>(IReadOnlyList<T> left, IReadOnlyList<T> right, int low, int highLeft, int highRight, bool[] leftKept, bool[] rightKept)
        where T : IEquatable<T>
    {
        int rows = highLeft - low;
        int columns = highRight - low;
        if (rows == 0 || columns == 0)
        {
            return;
        }

        int[,] length = new int[rows + 1, columns + 1];
        for (int i = rows - 1; i >= 0; i--)
        {
            for (int j = columns - 1; j >= 0; j--)
            {
                length[i, j] = left[low + i].Equals(right[low + j]) ? length[i + 1, j + 1] + 1 : Math.Max(length[i + 1, j], length[i, j + 1]);
            }
        }

        for (int a = 0, b = 0; a < rows && b < columns;)
        {
            if (left[low + a].Equals(right[low + b]))
            {
                leftKept[low + a++] = true;
                rightKept[low + b++] = true;
            }
            else if (length[a + 1, b] >= length[a, b + 1])
            {
                a++;
            }
            else
            {
                b++;
            }
        }
    }

    /// <summary>
    /// The middle of two long chains: the k-th copy of a rule on the left pairs with its k-th copy on the right (by
    /// hash), and the longest increasing subsequence of the paired right positions, in left order, is what is in order
    /// on both sides (for rules that occur once per chain, as Istio's do, that is exactly the longest common subsequence).
    /// </summary>
    private static void LongestIncreasingRun<T>(IReadOnlyList<T> left, IReadOnlyList<T> right, int low, int highLeft, int highRight, bool[] leftKept, bool[] rightKept)
        where T : IEquatable<T>
    {
        var positions = new Dictionary<T, Queue<int>>();
        for (int j = low; j < highRight; j++)
        {
            if (!positions.TryGetValue(right[j], out Queue<int>? queue))
            {
                positions[right[j]] = queue = new Queue<int>();
            }

            queue.Enqueue(j);
        }

        var pairedLeft = new List<int>(highLeft - low);
        var pairedRight = new List<int>(highLeft - low);
        for (int i = low; i < highLeft; i++)
        {
            if (positions.TryGetValue(left[i], out Queue<int>? queue) && queue.Count > 0)
            {
                pairedLeft.Add(i);
                pairedRight.Add(queue.Dequeue());
            }
        }

        // Patience sorting: tails[k] = index (into the pairs) of the smallest last right position of an increasing run of length k+1.
        int[] tails = new int[pairedRight.Count];
        int[] previous = new int[pairedRight.Count];
        int length = 0;
        for (int p = 0; p < pairedRight.Count; p++)
        {
            int lo = 0;
            int hi = length;
            while (lo < hi)
            {
                int mid = (lo + hi) >>> 1;
                if (pairedRight[tails[mid]] < pairedRight[p])
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            previous[p] = lo > 0 ? tails[lo - 1] : -1;
            tails[lo] = p;
            length = Math.Max(length, lo + 1);
        }

        for (int p = length > 0 ? tails[length - 1] : -1; p >= 0; p = previous[p])
        {
            leftKept[pairedLeft[p]] = true;
            rightKept[pairedRight[p]] = true;
        }
    }
}
