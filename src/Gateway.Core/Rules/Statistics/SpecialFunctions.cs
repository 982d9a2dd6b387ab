namespace Rollgate.Rules.Statistics;

/// <summary>
/// The few special functions the sequential tests need. System.Math has none of them and the
/// gateway takes no numerics package for a handful of formulas; each is a textbook approximation
/// accurate far beyond what a decision at alpha ≥ 1e-6 needs.
/// </summary>
internal static class SpecialFunctions
{
    private static readonly double[] LanczosCoefficients =
    [
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
        -176.61502916214059, 12.507343278686905, -0.13857109526572012,
        9.9843695780195716e-6, 1.5056327351493116e-7,
    ];

    private const double HalfLogTwoPi = 0.91893853320467274178;

    /// <summary>ln Γ(x) for x &gt; 0 (Lanczos, g = 7; about 15 significant digits).</summary>
    public static double LogGamma(double x)
    {
        if (x < 0.5)
        {
            // Reflection keeps the series in its accurate range.
            return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        }

        x -= 1;
        var sum = LanczosCoefficients[0];
        for (var i = 1; i < LanczosCoefficients.Length; i++)
        {
            sum += LanczosCoefficients[i] / (x + i);
        }

        var t = x + 7.5;
        return HalfLogTwoPi + (x + 0.5) * Math.Log(t) - t + Math.Log(sum);
    }

    /// <summary>ln B(a, b).</summary>
    public static double LogBeta(double a, double b) => LogGamma(a) + LogGamma(b) - LogGamma(a + b);

    /// <summary>
    /// ln I_x(a, b), the log of the regularized incomplete beta function, computed in log space so
    /// that the far tails (which the exceedance test reaches after a few thousand requests) do not
    /// underflow to ln 0.
    /// </summary>
    public static double LogRegularizedIncompleteBeta(double x, double a, double b)
    {
        if (x <= 0)
        {
            return double.NegativeInfinity;
        }

        if (x >= 1)
        {
            return 0;
        }

        var logFront = a * Math.Log(x) + b * Math.Log(1 - x) - LogBeta(a, b);
        if (x < (a + 1) / (a + b + 2))
        {
            return logFront + Math.Log(BetaContinuedFraction(a, b, x)) - Math.Log(a);
        }

        // Upper half: I_x(a, b) = 1 − I_{1−x}(b, a); the subtracted term is small here.
        var complement = Math.Exp(logFront) * BetaContinuedFraction(b, a, 1 - x) / b;
        return Math.Log(Math.Max(1 - complement, double.Epsilon));
    }

    /// <summary>Φ(x), the standard normal distribution function.</summary>
    public static double NormalCdf(double x) => Math.Exp(LogNormalCdf(x));

    /// <summary>ln Φ(x), accurate deep into the lower tail where Φ itself underflows.</summary>
    public static double LogNormalCdf(double x)
    {
        const double InvSqrt2 = 0.70710678118654752440;
        if (x >= 0)
        {
            return Math.Log(1 - 0.5 * Math.Exp(LogErfc(x * InvSqrt2)));
        }

        return -Math.Log(2) + LogErfc(-x * InvSqrt2);
    }

    /// <summary>ln erfc(t) for t ≥ 0 (Numerical Recipes' Chebyshev fit, relative error &lt; 1.2e-7).</summary>
    private static double LogErfc(double t)
    {
        var u = 1 / (1 + 0.5 * t);
        var poly = -1.26551223 + u * (1.00002368 + u * (0.37409196 + u * (0.09678418 + u * (-0.18628806
            + u * (0.27886807 + u * (-1.13520398 + u * (1.48851587 + u * (-0.82215223 + u * 0.17087277))))))));
        return Math.Log(u) - t * t + poly;
    }

    /// <summary>Lentz's continued fraction for I_x(a, b) (Numerical Recipes betacf).</summary>
    private static double BetaContinuedFraction(double a, double b, double x)
    {
        const double Tiny = 1e-300;
        const double Tolerance = 1e-14;

        // Converges in O(sqrt(max(a, b))) steps, so even a million requests is a few thousand steps.
        var maxIterations = 200 + (int)Math.Min(1e6, 10 * Math.Sqrt(Math.Max(a, b)));
        var qab = a + b;
        var qap = a + 1;
        var qam = a - 1;
        var c = 1.0;
        var d = 1 - qab * x / qap;
        d = 1 / (Math.Abs(d) < Tiny ? Tiny : d);
        var h = d;
        for (var m = 1; m <= maxIterations; m++)
        {
            var m2 = 2 * m;
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2));
            d = 1 + aa * d;
            d = 1 / (Math.Abs(d) < Tiny ? Tiny : d);
            c = 1 + aa / c;
            c = Math.Abs(c) < Tiny ? Tiny : c;
            h *= d * c;

            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
            d = 1 + aa * d;
            d = 1 / (Math.Abs(d) < Tiny ? Tiny : d);
            c = 1 + aa / c;
            c = Math.Abs(c) < Tiny ? Tiny : c;
            var delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < Tolerance)
            {
                break;
            }
        }

        return h;
    }
}
