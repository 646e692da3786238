/**
 * gRPC errors shaped as a Fabric peer's gateway sends them: status code, message, and `gateway.ErrorDetail`
 * entries in the `grpc-status-details-bin` trailer, which the client turns into `GatewayError.details`.
 */
import { Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { gateway, google } from '@hyperledger/fabric-protos';
import anyProto from 'google-protobuf/google/protobuf/any_pb.js';

// A CommonJS module whose exports Node cannot name statically.
const { Any } = anyProto;

/** One endorser's part of an error. */
export interface ErrorDetail {
  address: string;
  mspId: string;
  message: string;
}

/** An error a handler answers with. */
export class GatewayStatusError extends Error {
  readonly code: status;
  readonly details: ErrorDetail[];

  constructor(code: status, message: string, details: ErrorDetail[] = []) {
    super(message);
    this.code = code;
    this.details = details;
  }

  /** The grpc-js error object carrying the status details trailer. */
  toServiceError(): Partial<ServiceError> {
    const metadata = new Metadata();
    if (this.details.length > 0) {
      const rpcStatus = new google.rpc.Status();
      rpcStatus.setCode(this.code);
      rpcStatus.setMessage(this.message);
      rpcStatus.setDetailsList(
        this.details.map((detail) => {
          const message = new gateway.ErrorDetail();
          message.setAddress(detail.address);
          message.setMspId(detail.mspId);
          message.setMessage(detail.message);
          const any = new Any();
          any.pack(message.serializeBinary(), 'gateway.ErrorDetail');
          return any;
        }),
      );
      metadata.set('grpc-status-details-bin', Buffer.from(rpcStatus.serializeBinary()));
    }
    return { code: this.code, details: this.message, metadata };
  }
}
