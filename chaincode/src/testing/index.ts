/**
 * Test builders for code that calls the chaincode (`@gx/chaincode/testing`): valid users, system parameters
 * and request ids. Test-only: not compiled into the package's dist, resolved from source by the test runner.
 */
export * from './fixtures';
