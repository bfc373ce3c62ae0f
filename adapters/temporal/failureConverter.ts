import { DefaultFailureConverter } from '@temporalio/common';

// Failures keep their message and stack trace in an encoded payload, which the payload codec
// then encrypts: an error can quote a number (an endpoint Asterisk refused) or a name, and a
// failure's plain fields are stored in the history as they are. Loaded by path
// (`failureConverterPath`): the worker's activities use it, and so does the workflow bundle,
// where it must be code webpack can bundle (this module imports only @temporalio/common).
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
