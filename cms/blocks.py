"""Content blocks any page may use; lessons add their learning blocks on top (lessons.blocks)."""

from django.utils.text import slugify
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock


class HeadingValue(blocks.StructValue):
    def anchor_id(self):
        """The section's fragment id: the editor's choice, else the heading text slugified."""
        return self.get("anchor") or slugify(self.get("text", ""))


class HeadingBlock(blocks.StructBlock):
    """A section heading; its anchor id lets the tutor's citations open this section."""

    text = blocks.CharBlock(max_length=200)
    anchor = blocks.CharBlock(
        required=False,
        max_length=80,
        help_text="Optional fragment id; defaults to the heading text in lower case with hyphens.",
    )

    class Meta:
        icon = "title"
        template = "cms/blocks/heading.html"
        value_class = HeadingValue


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    alt_text = blocks.CharBlock(max_length=250, help_text="Describe the image for people who cannot see it (required).")
    caption = blocks.CharBlock(required=False, max_length=250)

    class Meta:
        icon = "image"
        template = "cms/blocks/image.html"


class VideoBlock(blocks.StructBlock):
    video = EmbedBlock(help_text="A YouTube or Vimeo URL.")
    caption = blocks.CharBlock(required=False, max_length=250)
    transcript = blocks.TextBlock(required=False, help_text="A transcript makes the video accessible.")

    class Meta:
        icon = "media"
        template = "cms/blocks/video.html"


class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(choices=[("tip", "Tip"), ("warning", "Warning"), ("ethics", "Ethics")], default="tip")
    title = blocks.CharBlock(required=False, max_length=120)
    text = blocks.RichTextBlock(features=["bold", "italic", "link", "ul", "ol"])

    class Meta:
        icon = "warning"
        template = "cms/blocks/callout.html"


RICH_TEXT_FEATURES = ["h3", "h4", "bold", "italic", "link", "ol", "ul", "blockquote", "code"]

CONTENT_BLOCKS = [
    ("heading", HeadingBlock()),
    ("paragraph", blocks.RichTextBlock(features=RICH_TEXT_FEATURES, icon="pilcrow")),
    ("image", ImageBlock()),
    ("video", VideoBlock()),
    ("callout", CalloutBlock()),
]
