// Copies a value to the clipboard (navigator.clipboard) and briefly confirms it.
import { Button, Tooltip } from '@mantine/core';
import { useEffect, useState } from 'react';
import { notifyError } from '../app/query-client';

interface CopyButtonProps {
  value: string;
  /** Accessible name, e.g. "Copy enrollment code for Main Office". */
  label: string;
}

export function CopyButton({ value, label }: CopyButtonProps) {
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    if (!copied) return;
    const timer = window.setTimeout(() => setCopied(false), 1500);
    return () => window.clearTimeout(timer);
  }, [copied]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
    } catch (err) {
      notifyError(err, 'Could not copy to the clipboard');
    }
  };

  return (
    <Tooltip label={copied ? 'Copied' : 'Copy to clipboard'}>
      <Button
        size="compact-xs"
        miw={64}
        variant={copied ? 'light' : 'subtle'}
        color={copied ? 'green' : 'aurora'}
        aria-label={label}
        onClick={() => void copy()}
      >
        {copied ? 'Copied' : 'Copy'}
      </Button>
    </Tooltip>
  );
}
