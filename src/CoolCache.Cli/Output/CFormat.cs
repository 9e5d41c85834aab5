using System.Globalization;
using System.Numerics;

namespace CoolCache.Cli.Output;

/// <summary>
/// C printf's "%.Nf": the exact binary value rounded half to even (0.625 is "0.62"), where .NET's "F2"
/// rounds half away from zero ("0.63"). Used wherever redis-cli prints figures with %.2f.
/// </summary>
public static class CFormat
{
    public static string Fixed(double value, int decimals)
    {
        if (double.IsNaN(value)) return "nan";
        if (double.IsInfinity(value)) return value > 0 ? "inf" : "-inf";
        var negative = value < 0 || (value == 0 && double.IsNegative(value));
        var bits = BitConverter.DoubleToInt64Bits(Math.Abs(value));
        var exponent = (int)((bits >> 52) & 0x7ff);
        var mantissa = bits & 0xfffffffffffffL;
        if (exponent == 0) exponent = 1;
        else mantissa |= 1L << 52;
        exponent -= 1075;
        // value = mantissa * 2^exponent; scaled = value * 10^decimals, rounded half to even.
        var numerator = new BigInteger(mantissa) * BigInteger.Pow(10, decimals);
        BigInteger scaled;
        if (exponent >= 0)
        {
            scaled = numerator << exponent;
        }
        else
        {
            var denominator = BigInteger.One << -exponent;
            scaled = BigInteger.DivRem(numerator, denominator, out var remainder);
            var twice = remainder * 2;
            if (twice > denominator || (twice == denominator && !scaled.IsEven)) scaled += 1;
        }
        var digits = scaled.ToString(CultureInfo.InvariantCulture).PadLeft(decimals + 1, '0');
        var text = decimals == 0 ? digits : digits[..^decimals] + "." + digits[^decimals..];
        return negative ? "-" + text : text;
    }

    /// <summary>"%0W.Nf": Fixed, padded with zeros on the left to width characters.</summary>
    public static string ZeroPadded(double value, int width, int decimals)
    {
        var text = Fixed(value, decimals);
        if (text.Length >= width) return text;
        return text[0] == '-' ? "-" + text[1..].PadLeft(width - 1, '0') : text.PadLeft(width, '0');
    }
}
