#!/usr/bin/env bash
# preflight: checks that the AWS account and region the AWS CLI points at
# can take a `make deploy` of the gateway, and says how to fix what it
# cannot. It changes nothing unless given --fix, which creates the ECS
# service-linked role and bootstraps the CDK (both once per account and
# region). Run by `make preflight` and before every `make deploy`.
#
# Inputs (environment): CONTEXT, the -c options given to the CDK (the
# apiConcurrency reservation is read from it); CDK, the CDK CLI; CDK_DOCKER,
# the container builder the CDK uses (default docker; podman works).
set -uo pipefail

fix=false
[ "${1:-}" = "--fix" ] && fix=true
problems=0
ok() { printf '  ok    %s\n' "$1"; }
bad() { printf '  FIX   %s\n' "$1"; problems=$((problems + 1)); }

# The reservation the stack will ask for (infra: context apiConcurrency).
api_concurrency=50
if [[ "${CONTEXT:-}" =~ apiConcurrency=([0-9]+) ]]; then
  api_concurrency="${BASH_REMATCH[1]}"
fi

if ! command -v aws >/dev/null 2>&1; then
  echo "preflight: the AWS CLI (aws) is not installed; it is needed to check the account." >&2
  exit 2
fi
if ! identity="$(aws sts get-caller-identity --query Account --output text 2>&1)"; then
  echo "preflight: no usable AWS credentials: $identity" >&2
  echo "  configure them (aws configure, AWS_PROFILE, or your CI's role) and run again" >&2
  exit 2
fi
account="$identity"
region="${AWS_REGION:-${AWS_DEFAULT_REGION:-$(aws configure get region 2>/dev/null)}}"
if [ -z "$region" ]; then
  echo "preflight: no region: set AWS_REGION (or aws configure set region ...)" >&2
  exit 2
fi
echo "preflight: account $account, region $region"

# 1. The CDK bootstrap stack (assets bucket, image repository, roles).
if status="$(aws cloudformation describe-stacks --stack-name CDKToolkit --region "$region" \
  --query 'Stacks[0].StackStatus' --output text 2>/dev/null)" && [[ "$status" == *_COMPLETE ]] \
  && [[ "$status" != DELETE_COMPLETE ]]; then
  ok "CDK bootstrap stack CDKToolkit ($status)"
elif $fix; then
  echo "  ...   cdk bootstrap aws://$account/$region"
  if "${CDK:-cdk}" bootstrap "aws://$account/$region"; then ok "CDK bootstrapped"; else bad "cdk bootstrap failed (see above)"; fi
else
  bad "the region is not bootstrapped for the CDK: run \`make bootstrap\` (cdk bootstrap aws://$account/$region)"
fi

# 2. ECS's service-linked role: a first ECS service in an account fails
#    without it when created by CloudFormation.
if aws iam get-role --role-name AWSServiceRoleForECS >/dev/null 2>&1; then
  ok "ECS service-linked role AWSServiceRoleForECS"
elif $fix; then
  if aws iam create-service-linked-role --aws-service-name ecs.amazonaws.com >/dev/null; then
    ok "ECS service-linked role created"
  else
    bad "could not create the ECS service-linked role (needs iam:CreateServiceLinkedRole)"
  fi
else
  bad "no ECS service-linked role: run \`make bootstrap\` (aws iam create-service-linked-role --aws-service-name ecs.amazonaws.com)"
fi

# 3. Lambda concurrency: a reservation must leave the account at least 100
#    unreserved; new accounts start with a quota of 10 in all.
if settings="$(aws lambda get-account-settings --region "$region" \
  --query '[AccountLimit.ConcurrentExecutions, AccountLimit.UnreservedConcurrentExecutions]' --output text 2>&1)"; then
  read -r limit unreserved <<<"$settings"
  if [ "$api_concurrency" -eq 0 ]; then
    ok "Lambda concurrency: no reservation asked (account limit $limit)"
  elif [ $((unreserved - api_concurrency)) -ge 100 ]; then
    ok "Lambda concurrency: reserving $api_concurrency leaves $((unreserved - api_concurrency)) unreserved (account limit $limit)"
  else
    bad "Lambda concurrency: the account has $unreserved unreserved (limit $limit); reserving $api_concurrency for the API would leave under the 100 AWS requires. Ask for more (Service Quotas, quota L-B99A9384: aws service-quotas request-service-quota-increase --service-code lambda --quota-code L-B99A9384 --desired-value 1000) or deploy with -c apiConcurrency=0"
  fi
else
  bad "could not read the Lambda account settings: $settings"
fi

# 4. A container builder for the session host image (FROM scratch: it
#    needs no registry and no emulation, only a builder the CDK can call).
builder="${CDK_DOCKER:-docker}"
if command -v "$builder" >/dev/null 2>&1; then
  ok "container builder: $builder"
else
  bad "no container builder: install Docker, or set CDK_DOCKER=podman (podman, buildah) — see README \"On AWS\""
fi

# 5. The build outputs the stack is made of.
for f in dist/api.zip dist/webhooks.zip dist/host/Dockerfile dist/host/sessionhost; do
  if [ ! -f "$f" ]; then
    bad "$f is missing: run \`make build\`"
  fi
done

if [ "$problems" -gt 0 ]; then
  echo "preflight: $problems problem(s) to fix before deploying"
  exit 1
fi
echo "preflight: ready to deploy"
