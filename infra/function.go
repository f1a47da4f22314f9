package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// functionOptions is what differs between the gateway's two Lambdas.
type functionOptions struct {
	code           string // a zip holding bootstrap (make build), or a directory to zip
	description    string
	timeoutSeconds float64
	memoryMiB      float64
	env            map[string]*string
	// reservedConcurrency, when positive, is the function's reserved
	// concurrency; 0 leaves it on the account's unreserved pool (Lambda
	// reads a reservation of 0 as "never run").
	reservedConcurrency int
}

// newFunction is a Go Lambda on the OS-only runtime, arm64 (Graviton),
// with its own log group so retention is set without the log-retention
// custom resource (which would add a Node.js Lambda to the stack).
//
// Its role is its own ("<id>Role"), with one inline policy that lets it
// write to its own log group only, instead of the managed
// AWSLambdaBasicExecutionRole (logs:CreateLogGroup and writes to every
// log group of the account). Grants add the rest.
//
// Logs are JSON (the app's slog lines become the message's fields) at
// INFO, and Lambda's own lines at WARN: the START, END and REPORT lines
// of every invocation are dropped, which is most of the log volume
// (and cost) of a small request; the duration and memory they report
// are in the function's metrics anyway.
func newFunction(scope constructs.Construct, id string, o functionOptions) awslambda.Function {
	logs := newLogGroup(scope, id+"Logs")
	role := awsiam.NewRole(scope, jsii.String(id+"Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String(o.description + ": execution role"),
		InlinePolicies: &map[string]awsiam.PolicyDocument{
			"Logs": awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{
				Statements: &[]awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
					Actions: jsii.Strings("logs:CreateLogStream", "logs:PutLogEvents"),
					// The group's Arn attribute ends in ":*": its streams.
					Resources: &[]*string{logs.LogGroupArn()},
				})},
			}),
		},
	})
	props := &awslambda.FunctionProps{
		Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
		Architecture: awslambda.Architecture_ARM_64(),
		// provided.al2023 runs the zip's bootstrap; the handler name is
		// not used but must be set.
		Handler:               jsii.String("bootstrap"),
		Code:                  awslambda.Code_FromAsset(jsii.String(o.code), nil),
		Description:           jsii.String(o.description),
		Timeout:               awscdk.Duration_Seconds(jsii.Number(o.timeoutSeconds)),
		MemorySize:            jsii.Number(o.memoryMiB),
		Environment:           &o.env,
		Role:                  role,
		LogGroup:              logs,
		LoggingFormat:         awslambda.LoggingFormat_JSON,
		ApplicationLogLevelV2: awslambda.ApplicationLogLevel_INFO,
		SystemLogLevelV2:      awslambda.SystemLogLevel_WARN,
	}
	if o.reservedConcurrency > 0 {
		props.ReservedConcurrentExecutions = jsii.Number(float64(o.reservedConcurrency))
	}
	return awslambda.NewFunction(scope, jsii.String(id), props)
}
