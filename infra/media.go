package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// Inbound media retention (GATEWAY_MEDIA_RETENTION_DAYS), in days: the
// application's default and bounds (internal/config), duplicated like the
// variable names in env.go.
const (
	defaultMediaRetentionDays = 30
	maxMediaRetentionDays     = 365
)

// Key prefixes of the media bucket (internal/s3media): committed media
// under media/<instance>/<messageId>, uploads in flight under
// staging/<instance>/<random>.
const (
	mediaPrefix   = "media/"
	stagingPrefix = "staging/"
)

// newMediaBucket is the bucket of inbound media (internal/s3media), which
// the session hosts write and the API reads. Its objects are other
// people's photos and documents, reached only through the API (a 302 to a
// presigned link), so:
//
//   - Encryption: SSE-S3 (S3-managed keys). SSE-KMS would add a KMS call
//     to every upload, copy and download (and kms:Decrypt to the API's
//     role, whose signature the presigned links carry) for no access
//     control the IAM grants below do not already give; the objects live
//     a month at most.
//   - Public access: all blocked; object ownership enforced (no ACLs).
//   - TLS only: a bucket policy denies plain HTTP (presigned links are
//     https).
//   - Versioning: off. Media is written once and deleted on purpose (on
//     DELETE /instance, at retention); versioning would keep every
//     deleted file as a noncurrent version, which is exactly what the
//     deletion must not leave behind.
//   - Lifecycle: media/ expires after the retention (the API already
//     answers 404 at expiry, by the object's stored-at time; S3 deletes
//     up to a day later); staging/ after a day (a Put that crashed between
//     upload and commit); incomplete multipart uploads are aborted after a
//     day (their parts are invisible but billed).
//   - Access logs: S3 server access logs to the log bucket
//     (newLogBucket): a presigned link can be used by anyone holding it
//     for its five minutes, and only S3's log says who did.
//   - Removal: RETAIN. Deleting the stack must not delete customer data
//     nobody chose to delete (as with the tables); an operator who means
//     it empties and deletes the bucket. Auto-delete would also add a
//     custom-resource Lambda to the stack.
//
// The name is left to CloudFormation: bucket names are global.
func newMediaBucket(scope constructs.Construct, retentionDays int, logs awss3.IBucket) awss3.Bucket {
	return awss3.NewBucket(scope, jsii.String("MediaBucket"), &awss3.BucketProps{
		ServerAccessLogsBucket: logs,
		ServerAccessLogsPrefix: jsii.String(accessLogPrefix),
		Encryption:             awss3.BucketEncryption_S3_MANAGED,
		BlockPublicAccess:      awss3.BlockPublicAccess_BLOCK_ALL(),
		ObjectOwnership:        awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		EnforceSSL:             jsii.Bool(true),
		Versioned:              jsii.Bool(false),
		RemovalPolicy:          awscdk.RemovalPolicy_RETAIN,
		LifecycleRules: &[]*awss3.LifecycleRule{
			{
				Id:         jsii.String("ExpireMedia"),
				Prefix:     jsii.String(mediaPrefix),
				Expiration: awscdk.Duration_Days(jsii.Number(float64(retentionDays))),
			},
			{
				Id:         jsii.String("ExpireStaging"),
				Prefix:     jsii.String(stagingPrefix),
				Expiration: awscdk.Duration_Days(jsii.Number(1)),
			},
			{
				Id:                                  jsii.String("AbortIncompleteUploads"),
				AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(1)),
			},
		},
	})
}

// grantMediaWrite gives a session host what s3media's Put, Delete and
// DeleteInstance call, and nothing else:
//
//   - s3:PutObject on media/* and staging/*: the upload to staging (one
//     PutObject, or a multipart upload, whose calls all need PutObject)
//     and the CopyObject that commits it under media/.
//   - s3:GetObject on staging/* only: CopyObject reads its source.
//   - s3:AbortMultipartUpload on staging/*: a failed multipart upload is
//     aborted at once (uploads only ever go to staging/).
//   - s3:DeleteObject on media/* and staging/*: the staging object after
//     the commit, an instance's media when it is deleted.
//   - s3:ListBucket, only under media/ and staging/: DeleteInstance lists
//     an instance's keys.
func grantMediaWrite(bucket awss3.Bucket, role awsiam.IRole) {
	objects := func(prefixes ...string) *[]*string {
		var arns []*string
		for _, p := range prefixes {
			arns = append(arns, bucket.ArnForObjects(jsii.String(p+"*")))
		}
		return &arns
	}
	suppressMediaWildcards(role)
	p := role.GrantPrincipal()
	p.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("s3:PutObject", "s3:DeleteObject"),
		Resources: objects(mediaPrefix, stagingPrefix),
	}))
	p.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("s3:GetObject", "s3:AbortMultipartUpload"),
		Resources: objects(stagingPrefix),
	}))
	p.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("s3:ListBucket"),
		Resources: jsii.Strings(*bucket.BucketArn()),
		Conditions: &map[string]any{
			"StringLike": map[string]any{"s3:prefix": []string{mediaPrefix + "*", stagingPrefix + "*"}},
		},
	}))
}

// grantMediaRead gives the API what s3media's PresignGet calls: a HEAD
// (s3:GetObject) on media/*, and the presigned GET it signs, which S3
// checks against the same role. And s3:ListBucket on the bucket: without
// it S3 answers a HEAD of a missing key with 403 instead of 404, and the
// API could not tell an unknown message (404) from a broken grant (500).
// The listing is not limited by prefix: a HEAD carries no s3:prefix for
// a condition to match (and the API reads every tenant's state anyway).
// It writes and deletes nothing: deletion is the session host's.
func grantMediaRead(bucket awss3.Bucket, role awsiam.IRole) {
	suppressMediaWildcards(role)
	p := role.GrantPrincipal()
	p.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("s3:GetObject"),
		Resources: &[]*string{bucket.ArnForObjects(jsii.String(mediaPrefix + "*"))},
	}))
	p.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("s3:ListBucket"),
		Resources: &[]*string{bucket.BucketArn()},
	}))
}

// suppressMediaWildcards accepts, on role and its policies, the cdk-nag
// IAM5 findings of the media grants' object ARNs (media/*, staging/*),
// and only those: object keys are per instance and message, so a prefix
// is the narrowest resource there is.
func suppressMediaWildcards(role awsiam.IRole) {
	cdknag.NagSuppressions_AddResourceSuppressions(role, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-IAM5"),
		Reason: jsii.String("Media objects are keyed media/<instance>/<messageId> and staging/<instance>/<random>: " +
			"the key prefix is the narrowest resource the grant can name."),
		AppliesTo: &[]any{&cdknag.RegexAppliesTo{
			Regex: jsii.String(`/^Resource::<MediaBucket[0-9A-F]{8}\.Arn>\/(media|staging)\/\*$/`),
		}},
	}}, jsii.Bool(true))
}
