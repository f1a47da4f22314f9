package host

import (
	"errors"
	"log/slog"

	"github.com/wagateway/wagateway/internal/media"
	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/sticker"
)

// converters turn the fetched file of a kind into the form WhatsApp takes
// for it. They run here, before the driver, so that every driver (the
// sandbox included) sends the same bytes, and a file that cannot be
// converted fails its message like one that cannot be fetched. What is
// fetched, and its limits, stay the kind's (message.Media).
var converters = map[message.Type]func(media.Media) (media.Media, error){
	message.Sticker: stickerMedia,
}

// convert returns md as kind t sends it. An error is permanent (the same
// bytes fail again), and its Msg is fit to store on the message.
func convert(t message.Type, md media.Media, log *slog.Logger) (media.Media, *media.Error) {
	c, ok := converters[t]
	if !ok {
		return md, nil
	}
	out, err := c(md)
	if err == nil {
		return out, nil
	}
	log.Info("convert media", "type", string(t), "err", err.Error())
	msg := err.Error()
	if errors.Is(err, sticker.ErrFormat) {
		// The decoders' own words are no help to the client.
		msg = "sticker image could not be decoded"
	}
	return media.Media{}, &media.Error{Msg: msg, Err: err}
}

func stickerMedia(md media.Media) (media.Media, error) {
	data, err := sticker.Convert(md.Data)
	if err != nil {
		return media.Media{}, err
	}
	return media.Media{Data: data, ContentType: sticker.ContentType, FileName: md.FileName}, nil
}
