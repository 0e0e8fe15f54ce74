// Second login step: MFA enrolment (QR code + secret text, then a code) or verification of a
// code from the operator's authenticator app. Posts to /api/auth/mfa/verify.
import type { MfaRequired, SessionInfo } from '@borealis/protocol';
import { Alert, Anchor, Button, Code, Group, Image, Stack, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { errorMessage } from '../../api/client';
import { useMfaVerify } from './useSession';

interface MfaStepProps {
  challenge: MfaRequired;
  onDone: (session: SessionInfo) => void;
  onCancel: () => void;
}

export function MfaStep({ challenge, onDone, onCancel }: MfaStepProps) {
  const [code, setCode] = useState('');
  const verify = useMfaVerify();
  const setup = challenge.stage === 'setup';

  const submit = (e: FormEvent) => {
    e.preventDefault();
    verify.mutate({ pending_token: challenge.pending_token, code }, { onSuccess: onDone });
  };

  return (
    <form onSubmit={submit} aria-label="Multi-factor authentication">
      <Stack gap="md">
        {setup ? (
          <>
            <Text size="sm">
              Multi-factor authentication is required. Scan this QR code with an authenticator app
              (or enter the secret key by hand), then type the 6-digit code it shows.
            </Text>
            {challenge.qr_image && (
              <Group justify="center">
                <Image
                  src={challenge.qr_image}
                  alt="MFA enrolment QR code"
                  w={184}
                  h={184}
                  className="qr-frame"
                />
              </Group>
            )}
            {challenge.secret && (
              <Stack gap={4}>
                <Text size="xs" c="dimmed" id="mfa-secret-label">
                  Secret key
                </Text>
                <Code
                  block
                  className="mono wrap-anywhere"
                  data-testid="mfa-secret"
                  aria-labelledby="mfa-secret-label"
                >
                  {challenge.secret}
                </Code>
              </Stack>
            )}
          </>
        ) : (
          <Text size="sm">
            Enter the 6-digit code from your authenticator app for{' '}
            <Text span fw={600}>
              {challenge.username}
            </Text>
            .
          </Text>
        )}
        <TextInput
          label="Authentication code"
          placeholder="123456"
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={6}
          value={code}
          onChange={(e) => setCode(e.currentTarget.value.replace(/\D/g, ''))}
          data-autofocus
          autoFocus
          required
        />
        {verify.isError && (
          <Alert color="red" variant="light" role="alert" title="Verification failed">
            {errorMessage(verify.error)}
          </Alert>
        )}
        <Button
          type="submit"
          variant="gradient"
          loading={verify.isPending}
          disabled={code.length !== 6}
        >
          Verify
        </Button>
        <Anchor component="button" type="button" size="sm" c="dimmed" onClick={onCancel}>
          Back to sign in
        </Anchor>
      </Stack>
    </form>
  );
}
