package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
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
}

// newFunction is a Go Lambda on the OS-only runtime, arm64 (Graviton),
// with its own log group so retention is set without the log-retention
// custom resource (which would add a Node.js Lambda to the stack).
func newFunction(scope constructs.Construct, id string, o functionOptions) awslambda.Function {
	logs := awslogs.NewLogGroup(scope, jsii.String(id+"Logs"), &awslogs.LogGroupProps{
		Retention: awslogs.RetentionDays_ONE_MONTH,
	})
	return awslambda.NewFunction(scope, jsii.String(id), &awslambda.FunctionProps{
		Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
		Architecture: awslambda.Architecture_ARM_64(),
		// provided.al2023 runs the zip's bootstrap; the handler name is
		// not used but must be set.
		Handler:     jsii.String("bootstrap"),
		Code:        awslambda.Code_FromAsset(jsii.String(o.code), nil),
		Description: jsii.String(o.description),
		Timeout:     awscdk.Duration_Seconds(jsii.Number(o.timeoutSeconds)),
		MemorySize:  jsii.Number(o.memoryMiB),
		Environment: &o.env,
		LogGroup:    logs,
	})
}
