/* 前进小助手 on another website: <script src="https://<bot>/webhooks/widget/embed.js" async></script>
   adds a floating button that opens the chat page (served next to this script) in a frame.
   The chat page may only be framed by the websites in the bot's CORS_ORIGINS: elsewhere the button opens a
   notice instead of a frame the browser would leave blank, and the console says which setting to change.
   Styles are set property by property, so a strict style policy on the host page cannot break the button. */
(function () {
  "use strict";

  if (window.qianjinWidgetLoaded) {
    return;
  }
  window.qianjinWidgetLoaded = true;

  var script = document.currentScript || (function () {
    var candidates = document.querySelectorAll("script[src*='/webhooks/widget/embed.js']");
    return candidates[candidates.length - 1];
  })();
  var pageUrl = script.src.replace(/embed\.js([?#].*)?$/, "");
  /* The bot's server writes its CORS_ORIGINS here ("*": any website); null: not known, the frame is tried. */
  var ALLOWED_ORIGINS = null;
  var NOT_OPEN_TEXT = "本网站暂未开通前进小助手，请通过前进街道的官方网站、微信公众号或到前进街道办事处咨询。";
  var PHONE_WIDTH = 520;
  var LAYER = "2147483000";
  var PRIMARY = "#b3261e";

  /* "scheme://host[:port]" in lower case without a default port, or null for anything else (a pattern, a path). */
  function plainOrigin(value) {
    var match = /^(https?):\/\/([a-z0-9.-]+|\[[0-9a-f:.]+\])(?::(\d+))?\/?$/.exec(String(value).trim().toLowerCase());
    if (!match) {
      return null;
    }
    var defaultPort = match[1] === "https" ? "443" : "80";
    return match[1] + "://" + match[2] + (match[3] && match[3] !== defaultPort ? ":" + match[3] : "");
  }

  /* False only when sure: every allowed entry is a plain origin and none is this page's. */
  function allowedHere() {
    if (!Array.isArray(ALLOWED_ORIGINS)) {
      return true;
    }
    var here = plainOrigin(window.location.origin);
    if (here !== null && here === plainOrigin(new URL(pageUrl, window.location.href).origin)) {
      return true;
    }
    return ALLOWED_ORIGINS.some(function (entry) {
      var origin = plainOrigin(entry);
      return entry === "*" || origin === null || origin === here;
    });
  }

  function style(element, properties) {
    Object.keys(properties).forEach(function (name) {
      element.style.setProperty(name, properties[name]);
    });
  }

  function start(allowed) {
    var button = document.createElement("button");
    button.type = "button";
    button.id = "qianjin-widget-button";
    button.textContent = "前进小助手";
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", "qianjin-widget-panel");
    style(button, {
      position: "fixed", right: "20px", bottom: "20px", "z-index": LAYER,
      padding: "12px 22px", border: "0", "border-radius": "999px", background: PRIMARY, color: "#ffffff",
      "font-size": "18px", "font-weight": "700", "line-height": "1.4", cursor: "pointer",
      "box-shadow": "0 4px 14px rgba(0, 0, 0, 0.3)",
      "font-family": "\"PingFang SC\", \"Microsoft YaHei\", \"Noto Sans CJK SC\", sans-serif"
    });

    var panel = document.createElement("div");
    panel.id = "qianjin-widget-panel";
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", "前进小助手");
    style(panel, {
      position: "fixed", "z-index": LAYER, display: "none", "flex-direction": "column",
      background: "#ffffff", "box-shadow": "0 8px 30px rgba(0, 0, 0, 0.35)", overflow: "hidden"
    });

    var close = document.createElement("button");
    close.type = "button";
    close.id = "qianjin-widget-close";
    close.textContent = "关闭 ×";
    style(close, {
      margin: "0", padding: "8px 16px", border: "0", background: "#8c1d18",
      color: "#ffffff", "font-size": "16px", "min-height": "40px", cursor: "pointer", width: "100%",
      "text-align": "right"
    });
    panel.appendChild(close);

    var frame = null;
    var notice = null;

    function layout() {
      var phone = window.innerWidth <= PHONE_WIDTH;
      if (!allowed) {
        /* The notice is a few lines: a small box at the bottom, not an empty chat-sized one. */
        style(panel, phone ? {
          top: "auto", right: "12px", bottom: "12px", left: "12px", width: "auto", height: "auto",
          "border-radius": "12px"
        } : {
          top: "auto", left: "auto", right: "20px", bottom: "84px", width: "380px", height: "auto",
          "border-radius": "12px"
        });
        return;
      }
      style(panel, phone ? {
        top: "0", right: "0", bottom: "0", left: "0", width: "100%", height: "100%", "border-radius": "0"
      } : {
        top: "auto", left: "auto", right: "20px", bottom: "84px", width: "380px",
        height: Math.max(320, Math.min(640, window.innerHeight - 110)) + "px", "border-radius": "12px"
      });
    }

    function showNotice() {
      if (!notice) {
        notice = document.createElement("p");
        notice.id = "qianjin-widget-notice";
        notice.textContent = NOT_OPEN_TEXT;
        style(notice, {
          margin: "0", padding: "24px 20px", color: "#1f1f1f", background: "#ffffff",
          "font-size": "18px", "line-height": "1.7", "text-align": "left",
          "font-family": "\"PingFang SC\", \"Microsoft YaHei\", \"Noto Sans CJK SC\", sans-serif"
        });
        panel.appendChild(notice);
        panel.setAttribute("aria-describedby", notice.id);
      }
    }

    function open() {
      if (!allowed) {
        showNotice();
      } else if (!frame) {
        frame = document.createElement("iframe");
        frame.src = pageUrl;
        frame.title = "前进小助手";
        /* The chat may ask for the position (发送我的位置): a framed page can only if its frame allows it. The
           resident still agrees in the chat and in the browser. */
        frame.allow = "geolocation";
        style(frame, { flex: "1", width: "100%", border: "0" });
        panel.appendChild(frame);
      }
      layout();
      panel.style.setProperty("display", "flex");
      button.setAttribute("aria-expanded", "true");
      button.style.setProperty("display", window.innerWidth <= PHONE_WIDTH ? "none" : "block");
      close.focus();
    }

    function hide() {
      panel.style.setProperty("display", "none");
      button.setAttribute("aria-expanded", "false");
      button.style.setProperty("display", "block");
      button.focus();
    }

    button.addEventListener("click", function () {
      if (button.getAttribute("aria-expanded") === "true") {
        hide();
      } else {
        open();
      }
    });
    close.addEventListener("click", hide);
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        hide();
      }
    });
    window.addEventListener("resize", layout);

    document.body.appendChild(button);
    document.body.appendChild(panel);
  }

  var allowed = allowedHere();
  if (!allowed && window.console) {
    window.console.warn(
      "前进小助手：本网站的来源 " + window.location.origin + " 不在前进小助手服务器的 CORS_ORIGINS 设置中，" +
      "浏览器不允许在本网站显示聊天窗口，居民只能看到“暂未开通”的提示。请在服务器的 .env 里把 " +
      window.location.origin + " 加入 CORS_ORIGINS（多个网站用英文逗号分隔），然后重启前进小助手。"
    );
  }

  if (document.body) {
    start(allowed);
  } else {
    document.addEventListener("DOMContentLoaded", function () {
      start(allowed);
    });
  }
})();
