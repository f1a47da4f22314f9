package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"go.mau.fi/whatsmeow"
)

// Inbound media: Media.Open downloads the attachment and decrypts it with
// whatsmeow, which checks the ciphertext's SHA-256, its HMAC and the
// plaintext's SHA-256 against the message. Media may be 100 MB or more, so
// it goes to a temporary file (decrypted there in place), never whole into
// memory; the reader removes the file when closed.

// opener is the Open of an inbound attachment, downloaded by cli.
func (d *Driver) opener(cli waClient, m whatsmeow.DownloadableMessage) func(ctx context.Context) (io.ReadCloser, error) {
	return func(ctx context.Context) (io.ReadCloser, error) {
		if m == nil {
			return nil, errors.New("download inbound media: the message has no attachment")
		}
		f, err := os.CreateTemp(d.cfg.TempDir, "wa-media-*") // "" is os.TempDir()
		if err != nil {
			return nil, fmt.Errorf("download inbound media: %w", err)
		}
		tf := &tempFile{File: f}
		if err := cli.DownloadToFile(ctx, m, f); err != nil {
			_ = tf.Close()
			// whatsmeow's errors name the failure (expired: 404/410; HMAC
			// or hash mismatch), never the file's name or content.
			return nil, fmt.Errorf("download inbound media: %w", err)
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			_ = tf.Close()
			return nil, fmt.Errorf("download inbound media: rewind: %w", err)
		}
		return tf, nil
	}
}

// tempFile is a downloaded attachment; Close removes it.
type tempFile struct{ *os.File }

func (t *tempFile) Close() error {
	err := t.File.Close()
	if rm := os.Remove(t.Name()); rm != nil && !errors.Is(rm, os.ErrNotExist) {
		return errors.Join(err, rm)
	}
	return err
}
