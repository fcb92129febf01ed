namespace Sluice.Server.Compat.Emr;

/// <summary>The two wire protocols EMR clients speak.</summary>
internal enum EmrProtocol
{
    /// <summary>JSON 1.1 with <c>X-Amz-Target: ElasticMapReduce.Operation</c> (boto3, awscli).</summary>
    Json,

    /// <summary>The 2009-03-31 Query API: form or query parameters in, XML out (boto 2).</summary>
    Query,
}
