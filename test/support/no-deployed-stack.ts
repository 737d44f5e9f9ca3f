import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';

/**
 * CloudFormation mocked as an account where the monitoring stack is not deployed: a CLI command
 * that follows the deployed stack falls back to the local configuration (and says so).
 */
export function mockNoDeployedStack() {
  const cfn = mockClient(CloudFormationClient);
  const reset = () => {
    cfn.reset();
    cfn.on(DescribeStacksCommand, { StackName: undefined }).resolves({ Stacks: [] });
    cfn.on(DescribeStacksCommand).callsFake((input: { StackName?: string }) => {
      if (input.StackName === undefined) return { Stacks: [] };
      throw Object.assign(new Error(`Stack with id ${input.StackName} does not exist`), { name: 'ValidationError' });
    });
  };
  reset();
  return { cfn, reset };
}
