package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// logBucketRetentionDays is how long the media bucket's access logs and
// the VPC's flow logs are kept: long enough to investigate who fetched a
// file or where a host connected, a quarter after the fact.
const logBucketRetentionDays = 90

// Key prefixes of the log bucket.
const (
	accessLogPrefix = "media-access/"
	flowLogPrefix   = "vpc-flow-logs/"
)

// newLogGroup is a log group kept a month, and kept when the stack is
// deleted or the group replaced: logs are the record of what happened,
// possibly of why the stack went; the retention still empties it.
func newLogGroup(scope constructs.Construct, id string) awslogs.LogGroup {
	return awslogs.NewLogGroup(scope, jsii.String(id), &awslogs.LogGroupProps{
		Retention:     awslogs.RetentionDays_ONE_MONTH,
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
}

// newLogBucket holds the media bucket's server access logs (who fetched
// which file, with a presigned link or otherwise) and the VPC's flow logs
// (where the session hosts connect). SSE-S3, because S3 server access
// logging cannot write to a bucket whose default encryption is SSE-KMS;
// no public access, TLS only, no ACLs (the log delivery services are
// granted by the bucket policy: the @aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy
// flag in cdk.json); objects expire after logBucketRetentionDays; kept
// when the stack is deleted, like the media bucket.
func newLogBucket(scope constructs.Construct) awss3.Bucket {
	// cdk-nag's S1 (access logs) counts a bucket that receives access
	// logs as compliant: a log bucket is not logged into itself.
	return awss3.NewBucket(scope, jsii.String("LogBucket"), &awss3.BucketProps{
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		ObjectOwnership:   awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		EnforceSSL:        jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN,
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Id:         jsii.String("ExpireLogs"),
			Expiration: awscdk.Duration_Days(jsii.Number(logBucketRetentionDays)),
		}},
	})
}
