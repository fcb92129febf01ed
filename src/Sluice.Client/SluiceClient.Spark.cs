namespace Sluice.Client;

public partial class SluiceClient
{
    /// <summary>
    /// A client for AZTK's Spark model (applications and jobs of applications) over this client's cluster and step
    /// calls; it shares this client's connection, credentials and retry policy. Cheap: create one where needed.
    /// </summary>
    public virtual SparkClient GetSparkClient() => new(this);
}
