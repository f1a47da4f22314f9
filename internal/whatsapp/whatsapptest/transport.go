package whatsapptest

import (
	"bytes"
	"context"
	"crypto/cipher"
	"errors"
	"fmt"
	"sync"

	"github.com/coder/websocket"
	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/socket"
	"google.golang.org/protobuf/proto"
)

// errFrame marks a byte stream that is not WhatsApp's framing.
var errFrame = errors.New("malformed frame")

// frameReader splits the client's byte stream into frames: the 4-byte
// connection header once, then frames of a 3-byte big-endian length and
// the data. Websocket message boundaries carry no meaning.
type frameReader struct {
	buf    []byte
	header []byte // nil until the header has been read
}

// push adds received bytes and returns the frames completed by them.
func (fr *frameReader) push(data []byte) ([][]byte, error) {
	fr.buf = append(fr.buf, data...)
	if fr.header == nil {
		if len(fr.buf) < len(socket.WAConnHeader) {
			return nil, nil
		}
		head := fr.buf[:len(socket.WAConnHeader)]
		if !bytes.Equal(head[:3], socket.WAConnHeader[:3]) {
			return nil, fmt.Errorf("%w: connection header %x", errFrame, head)
		}
		fr.header = bytes.Clone(head)
		fr.buf = fr.buf[len(head):]
	}
	var frames [][]byte
	for len(fr.buf) >= socket.FrameLengthSize {
		n := int(fr.buf[0])<<16 | int(fr.buf[1])<<8 | int(fr.buf[2])
		if len(fr.buf) < socket.FrameLengthSize+n {
			break
		}
		frames = append(frames, bytes.Clone(fr.buf[socket.FrameLengthSize:socket.FrameLengthSize+n]))
		fr.buf = fr.buf[socket.FrameLengthSize+n:]
	}
	return frames, nil
}

// transport is one websocket carrying frames, plain during the handshake
// and encrypted with the noise keys after it. Reads happen on one
// goroutine; writes may come from any.
type transport struct {
	ws      *websocket.Conn
	frames  frameReader
	pending [][]byte
	header  []byte

	readKey  cipher.AEAD
	readN    uint32
	writeMu  sync.Mutex
	writeKey cipher.AEAD
	writeN   uint32
}

func (tr *transport) readFrame(ctx context.Context) ([]byte, error) {
	for len(tr.pending) == 0 {
		typ, data, err := tr.ws.Read(ctx)
		if err != nil {
			return nil, err
		}
		if typ != websocket.MessageBinary {
			continue
		}
		if tr.pending, err = tr.frames.push(data); err != nil {
			return nil, err
		}
		tr.header = tr.frames.header
	}
	frame := tr.pending[0]
	tr.pending = tr.pending[1:]
	return frame, nil
}

// writeFrame sends one frame as one websocket message (whatsmeow's reader
// mishandles frames split across messages).
func (tr *transport) writeFrame(ctx context.Context, data []byte) error {
	if len(data) >= socket.FrameMaxSize {
		return fmt.Errorf("%w: %d bytes", errFrame, len(data))
	}
	msg := make([]byte, socket.FrameLengthSize+len(data))
	msg[0], msg[1], msg[2] = byte(len(data)>>16), byte(len(data)>>8), byte(len(data))
	copy(msg[socket.FrameLengthSize:], data)
	return tr.ws.Write(ctx, websocket.MessageBinary, msg)
}

func (tr *transport) readProto(ctx context.Context, m proto.Message) error {
	frame, err := tr.readFrame(ctx)
	if err != nil {
		return err
	}
	return proto.Unmarshal(frame, m)
}

func (tr *transport) writeProto(ctx context.Context, m proto.Message) error {
	data, err := proto.Marshal(m)
	if err != nil {
		return err
	}
	return tr.writeFrame(ctx, data)
}

// readNode reads, decrypts and decodes the next node from the client.
func (tr *transport) readNode(ctx context.Context) (*waBinary.Node, error) {
	frame, err := tr.readFrame(ctx)
	if err != nil {
		return nil, err
	}
	plain, err := tr.readKey.Open(nil, nonce(tr.readN), frame, nil)
	tr.readN++
	if err != nil {
		return nil, fmt.Errorf("decrypt frame: %w", err)
	} else if len(plain) == 0 {
		return nil, fmt.Errorf("%w: empty node", errFrame)
	}
	unpacked, err := waBinary.Unpack(plain)
	if err != nil {
		return nil, fmt.Errorf("unpack frame: %w", err)
	}
	return waBinary.Unmarshal(unpacked)
}

// writeNode encodes, encrypts and sends node to the client.
func (tr *transport) writeNode(ctx context.Context, node waBinary.Node) error {
	plain, err := waBinary.Marshal(node)
	if err != nil {
		return fmt.Errorf("marshal %s: %w", node.Tag, err)
	}
	tr.writeMu.Lock()
	defer tr.writeMu.Unlock()
	frame := tr.writeKey.Seal(nil, nonce(tr.writeN), plain, nil)
	tr.writeN++
	return tr.writeFrame(ctx, frame)
}
