namespace Sluice.Contracts;

/// <summary>
/// The stable error codes the service returns in <see cref="ErrorResponse.Code"/>. Each names one
/// kind of failure; clients may switch on them. Codes never change meaning once published.
/// </summary>
public static class ErrorCodes
{
    /// <summary>The request body is not valid JSON or does not match the expected shape (400).</summary>
    public const string MalformedRequest = "MalformedRequest";
    /// <summary>A field has a value outside what is accepted; the message names the field (400).</summary>
    public const string InvalidParameter = "InvalidParameter";
    /// <summary>A required field is missing; the message names it (400).</summary>
    public const string MissingParameter = "MissingParameter";
    /// <summary>The DAG of a job has a cycle; the message names the tasks on it (400).</summary>
    public const string DagCycle = "DagCycle";
    /// <summary>A DAG dependency names a task the job does not define (400).</summary>
    public const string UnknownTask = "UnknownTask";
    /// <summary>The paging marker was not issued by this service (400).</summary>
    public const string InvalidMarker = "InvalidMarker";
    /// <summary>The request body is larger than the server accepts (413).</summary>
    public const string RequestTooLarge = "RequestTooLarge";
    /// <summary>The request body's Content-Type is not one the operation takes (the native API takes application/json) (415).</summary>
    public const string UnsupportedMediaType = "UnsupportedMediaType";
    /// <summary>The instance type is not in the catalog (400).</summary>
    public const string UnknownInstanceType = "UnknownInstanceType";
    /// <summary>The image is not in the server's image catalog; the message lists the known images (400).</summary>
    public const string UnknownImage = "UnknownImage";
    /// <summary>A feature the request asks for is not available in this build (501).</summary>
    public const string NotImplemented = "NotImplemented";

    /// <summary>An object URI is malformed or unsafe (a '..' segment, an absolute key, NUL, a backslash); the message names it (400).</summary>
    public const string InvalidObjectUri = "InvalidObjectUri";
    /// <summary>An object URI has a scheme no object store is configured for; the message lists the configured ones (400).</summary>
    public const string UnknownUriScheme = "UnknownUriScheme";
    /// <summary>An object URI names a bucket that the configuration maps to no object store (400).</summary>
    public const string BucketNotMapped = "BucketNotMapped";
    /// <summary>No object exists at the URI (404).</summary>
    public const string ObjectNotFound = "ObjectNotFound";
    /// <summary>The bucket of the URI does not exist in its object store; create it first (`sluice fs mb`) (404).</summary>
    public const string BucketNotFound = "BucketNotFound";
    /// <summary>
    /// The caller may not do this (403): the object URI's bucket belongs to another account, or is an external bucket the
    /// configuration assigns to no account (the message names the field and the bucket, never the owner); or the operation
    /// is for the admin account only (creating, listing, disabling accounts).
    /// </summary>
    public const string AccessDenied = "AccessDenied";
    /// <summary>A bucket to delete still holds objects; delete them first (409).</summary>
    public const string BucketNotEmpty = "BucketNotEmpty";
    /// <summary>The object store behind the URI cannot be reached or refused the request; the message names the URI and endpoint (503).</summary>
    public const string ObjectStoreUnavailable = "ObjectStoreUnavailable";
    /// <summary>A task's package cannot be fetched or unpacked (missing, unreadable or corrupt archive, or an entry refused: a name or link leading outside, a hard link, a device); the message names the URI and the entry (400).</summary>
    public const string PackageUnavailable = "PackageUnavailable";
    /// <summary>A mount's destination is blank, absolute, has a '..' segment, names the working directory itself or lies inside another mount's; the message names the entry (400).</summary>
    public const string InvalidMountDestination = "InvalidMountDestination";
    /// <summary>Two mounts of one cluster or one job have the same destination; the message names both entries (400).</summary>
    public const string DuplicateMountDestination = "DuplicateMountDestination";
    /// <summary>A mount's source could not be copied into the instance's working directory (missing bucket, unreachable store, a key that is no file path); the instance never launched (instance error code).</summary>
    public const string MountUnavailable = "MountUnavailable";
    /// <summary>Files of a writable mount could not be uploaded back under its source when the instance ended (instance error code).</summary>
    public const string MountWriteBackFailed = "MountWriteBackFailed";
    /// <summary>A step's input does not exist (and no earlier step of the cluster writes it) (400).</summary>
    public const string InputNotFound = "InputNotFound";
    /// <summary>A step's output already exists, or an earlier active step of the cluster writes it (409).</summary>
    public const string OutputAlreadyExists = "OutputAlreadyExists";
    /// <summary>The cluster would have more than 256 active (Pending, Running, CancelPending) steps (400).</summary>
    public const string StepLimitExceeded = "StepLimitExceeded";
    /// <summary>The server has no launcher for an application a cluster asks for; the message says how to register one (400).</summary>
    public const string ApplicationNotAvailable = "ApplicationNotAvailable";
    /// <summary>A step needs an application (hive, pig, spark) its cluster was not created with (400).</summary>
    public const string ApplicationNotInstalled = "ApplicationNotInstalled";

    /// <summary>Only nodes of a Spot group can be preempted; the node's group is OnDemand (400).</summary>
    public const string NodeNotPreemptible = "NodeNotPreemptible";
    /// <summary>A Master group must be OnDemand: a preempted Master would take the cluster with it (400).</summary>
    public const string SpotMasterNotAllowed = "SpotMasterNotAllowed";

    /// <summary>The request carries no signature (401).</summary>
    public const string MissingAuthentication = "MissingAuthentication";
    /// <summary>The access key id is unknown or disabled, or its account is disabled (403).</summary>
    public const string InvalidAccessKeyId = "InvalidAccessKeyId";
    /// <summary>The server cannot isolate the tasks of one account from another's, so it keeps to one account (409).</summary>
    public const string SingleTenantServer = "SingleTenantServer";
    /// <summary>The account already has the most access keys it may have (10); delete one first (400).</summary>
    public const string AccessKeyLimitExceeded = "AccessKeyLimitExceeded";
    /// <summary>The signature does not match the request (403).</summary>
    public const string SignatureDoesNotMatch = "SignatureDoesNotMatch";
    /// <summary>The request timestamp is too far from the server clock (403).</summary>
    public const string RequestExpired = "RequestExpired";
    /// <summary>The credential scope of the signature names a region other than the server's; the message names the server's (403).</summary>
    public const string InvalidRegion = "InvalidRegion";
    /// <summary>A changing request (POST, PUT, PATCH, DELETE) with this signature was already received; sign it again to repeat it (403).</summary>
    public const string ReplayedRequest = "ReplayedRequest";

    /// <summary>No cluster with that id exists in the caller's account (404).</summary>
    public const string ClusterNotFound = "ClusterNotFound";
    /// <summary>No instance group with that id exists on the cluster (404).</summary>
    public const string InstanceGroupNotFound = "InstanceGroupNotFound";
    /// <summary>No job with that id exists in the caller's account (404).</summary>
    public const string JobNotFound = "JobNotFound";
    /// <summary>No task with that name exists in the job (404).</summary>
    public const string TaskNotFound = "TaskNotFound";
    /// <summary>No instance with that index exists in the task (404).</summary>
    public const string InstanceNotFound = "InstanceNotFound";
    /// <summary>No step with that id exists on the cluster (404).</summary>
    public const string StepNotFound = "StepNotFound";
    /// <summary>No account with that id exists (404).</summary>
    public const string AccountNotFound = "AccountNotFound";
    /// <summary>No access key with that id exists in the caller's account (404).</summary>
    public const string AccessKeyNotFound = "AccessKeyNotFound";
    /// <summary>No node with that id exists on the cluster (404).</summary>
    public const string NodeNotFound = "NodeNotFound";
    /// <summary>The route does not exist (404).</summary>
    public const string NotFound = "NotFound";

    /// <summary>The node has as many shells and commands open as the server allows (<c>MaxNodeSessionsPerNode</c>); close one first (429).</summary>
    public const string TooManyNodeSessions = "TooManyNodeSessions";

    /// <summary>The resource is in a state that does not allow the operation; the message says which states do (409).</summary>
    public const string InvalidState = "InvalidState";
    /// <summary>The cluster has termination protection; lift it first (409).</summary>
    public const string TerminationProtected = "TerminationProtected";
    /// <summary>A client token was reused with different request parameters (409).</summary>
    public const string IdempotentParameterMismatch = "IdempotentParameterMismatch";

    /// <summary>The server's database cannot be reached or is newer than the server; the server retries, so retry shortly (503).</summary>
    public const string StoreUnavailable = "StoreUnavailable";
    /// <summary>An unexpected server failure; retry, and report it with the request id if it persists (500).</summary>
    public const string InternalError = "InternalError";
}
