namespace Sluice.Hive.Tests;

/// <summary>Java's Double.toString and Float.toString, the text Hive writes for DOUBLE and FLOAT values (expected values as Java prints them).</summary>
public sealed class HiveTextTests
{
    [Theory]
    [InlineData(1.0, "1.0")]
    [InlineData(0.5, "0.5")]
    [InlineData(100.0, "100.0")]
    [InlineData(1e7, "1.0E7")]
    [InlineData(9999999.0, "9999999.0")]
    [InlineData(0.001, "0.001")]
    [InlineData(0.0009, "9.0E-4")]
    [InlineData(123456789012.0, "1.23456789012E11")]
    [InlineData(-1.5e-10, "-1.5E-10")]
    [InlineData(0.0, "0.0")]
    [InlineData(-0.0, "-0.0")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "Infinity")]
    [InlineData(double.NegativeInfinity, "-Infinity")]
    [InlineData(1.0 / 3, "0.3333333333333333")]
    public void JavaDouble_PrintsAsJava(double value, string expected) => Assert.Equal(expected, HiveText.JavaDouble(value));

    [Theory]
    [InlineData(1.5f, "1.5")]
    [InlineData(0.1f, "0.1")]
    [InlineData(1e10f, "1.0E10")]
    public void JavaFloat_PrintsAsJava(float value, string expected) => Assert.Equal(expected, HiveText.JavaFloat(value));
}
