package s3media

import (
	"net/url"
	"strings"
	"time"

	"github.com/wagateway/wagateway/internal/mediastore"
)

// User metadata keys (sent as x-amz-meta-*; the SDK reads them back in
// lower case).
const (
	metaSHA256   = "sha256"
	metaStoredAt = "stored-at"
	metaFileName = "file-name"
)

// objectKey is where the object of a validated key lives. The trailing
// slash of the instance's prefix is what keeps acme__c__x's objects apart
// from acme__c__xy's.
func objectKey(key mediastore.Key) string {
	return instancePrefix(key.Instance) + key.MessageID
}

func instancePrefix(instance string) string { return mediaPrefix + instance + "/" }

// stagingKey is where a Put of instance uploads before it commits.
func stagingKey(instance, nonce string) string { return stagingPrefix + instance + "/" + nonce }

// encodeMeta renders what S3 keeps beside the content. Every key is
// always set, even for an empty file name: the SDK drops empty metadata
// values, and an emulator that merges the old object's metadata into an
// overwrite (gofakes3 does) would otherwise resurrect the old name.
func encodeMeta(obj mediastore.Object) map[string]string {
	return map[string]string{
		metaSHA256:   obj.SHA256,
		metaStoredAt: obj.StoredAt.Format(time.RFC3339Nano),
		metaFileName: encodeFileName(obj.Meta.FileName),
	}
}

// fileNamePrefix starts an RFC 8187 (Content-Disposition filename*)
// extended value. Metadata travels as HTTP headers, which carry only
// ASCII safely, so the name is percent-encoded UTF-8; 255 bytes of name
// take at most 772, within S3's 2 KB for all user metadata. The prefix
// also keeps an empty name non-empty.
const fileNamePrefix = "UTF-8''"

func encodeFileName(name string) string {
	const hexDigits = "0123456789ABCDEF"
	b := make([]byte, 0, len(fileNamePrefix)+3*len(name))
	b = append(b, fileNamePrefix...)
	for i := 0; i < len(name); i++ {
		c := name[i]
		if isAttrChar(c) {
			b = append(b, c)
		} else {
			b = append(b, '%', hexDigits[c>>4], hexDigits[c&0xf])
		}
	}
	return string(b)
}

// isAttrChar reports whether RFC 8187 lets c stand for itself.
func isAttrChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		strings.IndexByte("!#$&+-.^_`|~", c) >= 0
}

// decodeFileName reverses encodeFileName; anything else reads as no name.
func decodeFileName(v string) string {
	rest, ok := strings.CutPrefix(v, fileNamePrefix)
	if !ok {
		return ""
	}
	// PathUnescape, unlike QueryUnescape, leaves '+' a plus.
	name, err := url.PathUnescape(rest)
	if err != nil {
		return ""
	}
	return name
}

// decodeMeta rebuilds the Object of key from what S3 returned for it.
func decodeMeta(key mediastore.Key, metadata map[string]string, contentType *string, size *int64, lastModified *time.Time) mediastore.Object {
	obj := mediastore.Object{Key: key, SHA256: metadata[metaSHA256]}
	if contentType != nil {
		obj.Meta.Mimetype = *contentType
	}
	if obj.Meta.Mimetype == "" {
		obj.Meta.Mimetype = mediastore.DefaultMimetype
	}
	obj.Meta.FileName = decodeFileName(metadata[metaFileName])
	if size != nil {
		obj.Size = *size
	}
	if at, err := time.Parse(time.RFC3339Nano, metadata[metaStoredAt]); err == nil {
		obj.StoredAt = at.UTC()
	} else if lastModified != nil {
		obj.StoredAt = lastModified.UTC()
	}
	return obj
}
