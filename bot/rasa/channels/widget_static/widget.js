/* 前进小助手 chat page: sends the resident's words to the widget channel's webhook next to this page.
   Every text (bot or resident) is put into the page as text, never as HTML.
   The conversation id comes from the server ("conversation" next to this page), which signs it; an id the server
   refuses (an older page made its own) is replaced by a new one and the message sent once more.
   Notes for the resident (a staff answer, a report's new status) come with the bot's replies, and from "notes" next
   to this page, asked when the page opens and every CHECK_MS while it is shown.
   A photo goes to "photo" next to this page first (the file as the body, the id in a header); the server checks and
   keeps it and answers with the message to send, which then goes as the resident's turn, shown as "[照片]". A
   position is sent only after the resident agrees in the page and the browser allows it, shown as "[我的位置]". */
(function () {
  "use strict";

  var ENDPOINT = "webhook";
  var CONVERSATION_ENDPOINT = "conversation";
  var NOTES_ENDPOINT = "notes";
  var PHOTO_ENDPOINT = "photo";
  var SENDER_HEADER = "X-Widget-Sender";
  /* Four checks a minute: well under the server's limit of requests per address (60 a minute by default), which
     every other page open behind the same address shares. */
  var CHECK_MS = 15000;
  var TIMEOUT_MS = 15000;
  /* A photo of several megabytes over a phone's connection takes longer than a message. */
  var UPLOAD_TIMEOUT_MS = 90000;
  var LOCATION_TIMEOUT_MS = 20000;
  var HISTORY_LIMIT = 200;
  /* The bot's server writes RETENTION_WIDGET_HISTORY_DAYS here: older turns are forgotten when the page opens. */
  var HISTORY_DAYS = null;
  /* The server writes these too: the largest photo it takes, and the message that says a photo is larger. */
  var MAX_PHOTO_BYTES = null;
  var PHOTO_TOO_LARGE_MESSAGE = null;
  var DAY_MS = 24 * 60 * 60 * 1000;
  var KEYS = {
    sender: "qianjin-widget-sender",
    history: "qianjin-widget-history",
    large: "qianjin-widget-large"
  };
  /* The shape of an id the server signed ("random.signature"); an older page's own ids have no signature. */
  var SIGNED_SENDER_PATTERN = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
  var REFUSED_STATUS = 403;
  var TOO_LARGE_STATUS = 413;
  var URL_PATTERN = /https?:\/\/[^\s<>"'，。！？；：、（）《》【】“”‘’]+/g;
  var URL_TRAILING_PUNCTUATION = /[.,;:!?)\]]+$/;
  var WELCOME = {
    role: "bot",
    text: "您好！我是前进小助手，可以为您介绍前进街道的养老、托育、交通、看病就医、文体活动和企业政策，" +
      "也可以帮您反映身边的问题。\n请在下方输入您的问题，或点“我能问什么”。",
    buttons: [{ title: "我能问什么", payload: "/ask_capabilities" }]
  };
  var TYPING_TEXT = "小助手正在输入";
  var UNREACHABLE_TEXT = "抱歉，暂时连不上小助手，可能是网络不好或系统正在维护。请稍后点“重试”。";
  var SPEAKERS = { bot: "小助手说：", user: "我说：" };
  var PHOTO_LABEL = "[照片]";
  var LOCATION_LABEL = "[我的位置]";
  var PHOTO_ALT = "我发送的照片";
  var PHOTO_FAILED_TEXT = "抱歉，照片没能发送出去，可能是网络不好。请稍后重新选择照片，或直接用文字描述。";
  var LOCATION_DENIED_TEXT = "没有获得位置权限，可以直接输入地点。";
  var LOCATION_FAILED_TEXT = "暂时没能获取您的位置，可以直接输入地点。";

  var messages = document.getElementById("messages");
  var form = document.getElementById("composer");
  var input = document.getElementById("input");
  var sendButton = document.getElementById("send");
  var largeToggle = document.getElementById("large-text");
  var clearButton = document.getElementById("clear-history");
  var clearDialog = document.getElementById("confirm-clear");
  var clearQuestion = document.getElementById("confirm-clear-text");
  var clearConfirm = document.getElementById("confirm-clear-yes");
  var clearCancel = document.getElementById("confirm-clear-no");
  var photoButton = document.getElementById("send-photo");
  var photoInput = document.getElementById("photo-input");
  var locationButton = document.getElementById("send-location");
  var locationDialog = document.getElementById("confirm-location");
  var locationQuestion = document.getElementById("confirm-location-text");
  var locationConfirm = document.getElementById("confirm-location-yes");
  var locationCancel = document.getElementById("confirm-location-no");

  /* localStorage can be blocked (private mode, some in-app browsers): the chat then works without memory. */
  var store = {
    get: function (key) {
      try {
        return window.localStorage.getItem(key);
      } catch (error) {
        return null;
      }
    },
    set: function (key, value) {
      try {
        window.localStorage.setItem(key, value);
      } catch (error) {
        return;
      }
    },
    remove: function (key) {
      try {
        window.localStorage.removeItem(key);
      } catch (error) {
        return;
      }
    }
  };

  /* The stored id if the server signed it; null (a new one is asked for with the first message) otherwise. */
  function loadSenderId() {
    var id = store.get(KEYS.sender);
    if (id && SIGNED_SENDER_PATTERN.test(id)) {
      return id;
    }
    store.remove(KEYS.sender);
    return null;
  }

  function validButtons(buttons) {
    if (!Array.isArray(buttons)) {
      return [];
    }
    return buttons.filter(function (b) {
      return b && typeof b.title === "string" && typeof b.payload === "string" && b.title && b.payload;
    }).map(function (b) {
      return { title: b.title, payload: b.payload };
    });
  }

  /* The stored turns of the last HISTORY_DAYS; older ones are dropped from the browser's storage too. A turn
     stored before turns had times counts from now. */
  function loadHistory() {
    var items;
    try {
      items = JSON.parse(store.get(KEYS.history) || "[]");
    } catch (error) {
      items = [];
    }
    if (!Array.isArray(items)) {
      items = [];
    }
    var now = Date.now();
    var oldest = typeof HISTORY_DAYS === "number" ? now - HISTORY_DAYS * DAY_MS : -Infinity;
    var kept = items.filter(function (item) {
      return item && (item.role === "user" || item.role === "bot") && typeof item.text === "string";
    }).map(function (item) {
      var at = typeof item.at === "number" && isFinite(item.at) ? item.at : now;
      return { role: item.role, text: item.text, buttons: validButtons(item.buttons), at: at };
    }).filter(function (item) {
      return item.at >= oldest;
    });
    saveHistory(kept);
    return kept;
  }

  function saveHistory(items) {
    if (items.length) {
      store.set(KEYS.history, JSON.stringify(items));
    } else {
      store.remove(KEYS.history);
    }
  }

  var sender = loadSenderId();
  var history = loadHistory();
  var busy = false;
  var checking = false;

  function remember(entry) {
    entry.at = Date.now();
    history.push(entry);
    if (history.length > HISTORY_LIMIT) {
      history = history.slice(history.length - HISTORY_LIMIT);
    }
    saveHistory(history);
  }

  /* Plain text with every http(s) address turned into a link; built from text nodes, so markup stays text. */
  function appendLinkedText(parent, text) {
    var last = 0;
    var match;
    URL_PATTERN.lastIndex = 0;
    while ((match = URL_PATTERN.exec(text)) !== null) {
      var url = match[0].replace(URL_TRAILING_PUNCTUATION, "");
      parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      var link = document.createElement("a");
      link.href = url;
      link.textContent = url;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      parent.appendChild(link);
      last = match.index + url.length;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function scrollToEnd() {
    messages.scrollTop = messages.scrollHeight;
  }

  /* The top of the visible conversation, below its padding, in the window's coordinates. */
  function viewTop() {
    return messages.getBoundingClientRect().top + (parseFloat(window.getComputedStyle(messages).paddingTop) || 0);
  }

  /* The scroll position that puts an item's top at the top of the view. */
  function startOf(item) {
    return messages.scrollTop + item.getBoundingClientRect().top - viewTop();
  }

  /* New answers are read from their start: the first goes to the top of the view, unless everything from it to
     the end fits (the browser then stops at the end, showing them whole). */
  function revealFrom(item) {
    messages.scrollTop = startOf(item);
  }

  /* The first message at least partly in view, and how far through it the view's top is (0 to 1). */
  function readingPlace() {
    var top = viewTop();
    for (var i = 0; i < messages.children.length; i += 1) {
      var box = messages.children[i].getBoundingClientRect();
      if (box.bottom > top) {
        return { item: messages.children[i], through: box.height ? Math.max(0, top - box.top) / box.height : 0 };
      }
    }
    return null;
  }

  function returnTo(place) {
    if (place) {
      messages.scrollTop = startOf(place.item) + place.through * place.item.getBoundingClientRect().height;
    }
  }

  /* Quick replies answer the message they came with: once the resident has said something else they are greyed
     out, cannot be pressed and leave the Tab order, so Tab reaches only the latest ones. */
  function retireQuickReplies() {
    var buttons = messages.querySelectorAll(".quick-reply:not([aria-disabled])");
    for (var i = 0; i < buttons.length; i += 1) {
      buttons[i].disabled = true;
      buttons[i].tabIndex = -1;
      buttons[i].setAttribute("aria-disabled", "true");
    }
  }

  function messageItem(role, extraClass) {
    var item = document.createElement("div");
    item.className = "msg msg-" + role + (extraClass ? " " + extraClass : "");
    var speaker = document.createElement("span");
    speaker.className = "visually-hidden";
    speaker.textContent = SPEAKERS[role];
    item.appendChild(speaker);
    return item;
  }

  function bubble(item) {
    var element = document.createElement("div");
    element.className = "bubble";
    item.appendChild(element);
    return element;
  }

  /* `before`: an item already in the chat (the typing indicator) that the new one goes in front of. */
  function show(entry, before) {
    var item = messageItem(entry.role);
    if (entry.text) {
      var text = bubble(item);
      if (entry.role === "bot") {
        appendLinkedText(text, entry.text);
      } else {
        text.textContent = entry.text;
      }
    }
    if (entry.buttons && entry.buttons.length) {
      var group = document.createElement("div");
      group.className = "quick-replies";
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "可以点选的问题");
      entry.buttons.forEach(function (choice) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "quick-reply";
        button.textContent = choice.title;
        button.addEventListener("click", function () {
          ask(choice.payload, choice.title);
        });
        group.appendChild(button);
      });
      item.appendChild(group);
    }
    messages.insertBefore(item, before || null);
    return item;
  }

  function showTyping() {
    var item = messageItem("bot", "typing");
    var text = bubble(item);
    text.appendChild(document.createTextNode(TYPING_TEXT));
    var dots = document.createElement("span");
    dots.className = "typing-dots";
    dots.setAttribute("aria-hidden", "true");
    for (var i = 0; i < 3; i += 1) {
      dots.appendChild(document.createElement("span")).textContent = ".";
    }
    text.appendChild(dots);
    messages.appendChild(item);
    scrollToEnd();
    return item;
  }

  function showUnreachable(message) {
    var item = messageItem("bot", "msg-error");
    item.setAttribute("role", "alert");
    bubble(item).textContent = UNREACHABLE_TEXT;
    var retry = document.createElement("button");
    retry.type = "button";
    retry.className = "retry";
    retry.textContent = "重试";
    retry.addEventListener("click", function () {
      if (!busy) {
        item.parentNode.removeChild(item);
        deliver(message);
      }
    });
    item.appendChild(retry);
    messages.appendChild(item);
    scrollToEnd();
  }

  /* A JSON POST to `url` next to this page; rejects with the HTTP status on a non-2xx answer, except that the
     server's explanation of a message too large to read (413) is shown as the bot's reply. */
  function postJson(url, body, signal) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      credentials: "same-origin",
      signal: signal
    }).then(function (response) {
      if (response.status === TOO_LARGE_STATUS) {
        return response.text().then(function (text) {
          return [{ text: text }];
        });
      }
      if (!response.ok) {
        var error = new Error("HTTP " + response.status);
        error.status = response.status;
        throw error;
      }
      return response.json();
    });
  }

  /* The conversation id: the stored one, or a new one the server signs. */
  function conversationId(signal) {
    if (sender) {
      return Promise.resolve(sender);
    }
    return postJson(CONVERSATION_ENDPOINT, {}, signal).then(function (reply) {
      if (!reply || typeof reply.sender !== "string" || !SIGNED_SENDER_PATTERN.test(reply.sender)) {
        throw new Error("unexpected conversation id");
      }
      sender = reply.sender;
      store.set(KEYS.sender, sender);
      return sender;
    });
  }

  function sendAs(id, message, signal) {
    return postJson(ENDPOINT, { sender: id, message: message }, signal).then(function (replies) {
      if (!Array.isArray(replies)) {
        throw new Error("unexpected reply");
      }
      return replies;
    });
  }

  /* The photo file as the request body; the answer is {"message": ...}, or the address limit's list. */
  function uploadAs(id, file, signal) {
    var headers = { "Content-Type": file.type || "application/octet-stream" };
    headers[SENDER_HEADER] = id;
    return fetch(PHOTO_ENDPOINT, {
      method: "POST",
      headers: headers,
      body: file,
      credentials: "same-origin",
      signal: signal
    }).then(function (response) {
      if (!response.ok) {
        var error = new Error("HTTP " + response.status);
        error.status = response.status;
        throw error;
      }
      return response.json();
    });
  }

  /* `send(id, signal)` with the conversation id: its result, or a rejection after an error, a non-2xx answer or
     `timeoutMs` of silence. An id the server refuses is replaced by a new one once, and `send` called again. */
  function withConversation(send, timeoutMs) {
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var signal = controller ? controller.signal : undefined;
    var timer;
    var timeout = new Promise(function (resolve, reject) {
      timer = setTimeout(function () {
        if (controller) {
          controller.abort();
        }
        reject(new Error("timeout"));
      }, timeoutMs);
    });
    var request = conversationId(signal).then(function (id) {
      return send(id, signal).catch(function (error) {
        if (error.status !== REFUSED_STATUS) {
          throw error;
        }
        sender = null;
        store.remove(KEYS.sender);
        return conversationId(signal).then(function (newId) {
          return send(newId, signal);
        });
      });
    });
    return Promise.race([request, timeout]).then(function (result) {
      clearTimeout(timer);
      return result;
    }, function (error) {
      clearTimeout(timer);
      throw error;
    });
  }

  /* One turn: the bot's replies. */
  function post(message) {
    return withConversation(function (id, signal) {
      return sendAs(id, message, signal);
    }, TIMEOUT_MS);
  }

  function setBusy(value) {
    busy = value;
    sendButton.disabled = value;
    clearButton.disabled = value;
    photoButton.disabled = value;
    locationButton.disabled = value;
  }

  /* The bot's messages (a turn's replies, or notes) shown, kept in the history, and read from the first. */
  function showBotMessages(replies, before) {
    var first = null;
    replies.forEach(function (reply) {
      var entry = {
        role: "bot",
        text: reply && typeof reply.text === "string" ? reply.text : "",
        buttons: validButtons(reply && reply.buttons)
      };
      if (entry.text || entry.buttons.length) {
        var shown = show(entry, before);
        first = first || shown;
        remember(entry);
      }
    });
    if (first) {
      revealFrom(first);
    }
  }

  function deliver(message) {
    setBusy(true);
    var typing = showTyping();
    post(message).then(function (replies) {
      typing.parentNode.removeChild(typing);
      showBotMessages(replies);
    }, function () {
      typing.parentNode.removeChild(typing);
      showUnreachable(message);
    }).then(function () {
      setBusy(false);
    });
  }

  /* Notes that came while the page was idle or closed. Not asked while a message is on its way (its replies bring
     them) or while the page is hidden; a check that fails, or that the server refuses (a list instead of
     {"notes": [...]}: the address limit's reply), shows nothing and the next one asks again. */
  function checkNotes() {
    if (!sender || busy || checking || document.visibilityState === "hidden") {
      return;
    }
    checking = true;
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = setTimeout(function () {
      if (controller) {
        controller.abort();
      }
    }, TIMEOUT_MS);
    postJson(NOTES_ENDPOINT, { sender: sender }, controller ? controller.signal : undefined).then(function (reply) {
      if (reply && Array.isArray(reply.notes)) {
        showBotMessages(reply.notes, messages.querySelector(".typing"));
      }
    }, function () {
      return null;
    }).then(function () {
      clearTimeout(timer);
      checking = false;
    });
  }

  /* The resident's turn: `shown` is what appears in the chat (a button's title), `message` what the bot gets. */
  function ask(message, shown) {
    if (busy) {
      return false;
    }
    var entry = { role: "user", text: shown || message, buttons: [] };
    retireQuickReplies();
    show(entry);
    scrollToEnd();
    remember(entry);
    deliver(message);
    return true;
  }

  /* A line of the page's own (not the bot's answer), kept in the history like one. */
  function sayLocally(text) {
    showBotMessages([{ text: text }]);
  }

  /* "[照片]" in the chat with a small picture of the file (not kept: the history has the words only). */
  function showSentPhoto(file) {
    var entry = { role: "user", text: PHOTO_LABEL, buttons: [] };
    retireQuickReplies();
    var item = show(entry);
    if (window.URL && typeof window.URL.createObjectURL === "function") {
      var thumb = document.createElement("img");
      thumb.className = "photo-thumb";
      thumb.alt = PHOTO_ALT;
      thumb.src = window.URL.createObjectURL(file);
      thumb.addEventListener("load", function () {
        window.URL.revokeObjectURL(thumb.src);
        scrollToEnd();
      });
      item.appendChild(thumb);
    }
    scrollToEnd();
    remember(entry);
  }

  /* A photo the resident picked: uploaded, then the server's answer sent as their turn. One over the size limit is
     not uploaded; the bot is told so, in the server's words, as the upload would have been. */
  function sendPhoto(file) {
    if (busy) {
      return;
    }
    showSentPhoto(file);
    if (typeof MAX_PHOTO_BYTES === "number" && file.size > MAX_PHOTO_BYTES && PHOTO_TOO_LARGE_MESSAGE) {
      deliver(PHOTO_TOO_LARGE_MESSAGE);
      return;
    }
    setBusy(true);
    var typing = showTyping();
    withConversation(function (id, signal) {
      return uploadAs(id, file, signal);
    }, UPLOAD_TIMEOUT_MS).then(function (reply) {
      typing.parentNode.removeChild(typing);
      setBusy(false);
      if (Array.isArray(reply)) {
        showBotMessages(reply);
      } else if (reply && typeof reply.message === "string") {
        deliver(reply.message);
      } else {
        sayLocally(PHOTO_FAILED_TEXT);
      }
    }, function () {
      typing.parentNode.removeChild(typing);
      setBusy(false);
      sayLocally(PHOTO_FAILED_TEXT);
    });
  }

  /* The position the browser gives, after the resident agreed in the page; refused or unavailable, a line says to
     type the place instead. */
  function sendLocation() {
    if (busy) {
      return;
    }
    setBusy(true);
    navigator.geolocation.getCurrentPosition(function (position) {
      setBusy(false);
      var where = { latitude: position.coords.latitude, longitude: position.coords.longitude, place_label: "" };
      ask("/share_location" + JSON.stringify(where), LOCATION_LABEL);
    }, function (error) {
      setBusy(false);
      sayLocally(error && error.code === error.PERMISSION_DENIED ? LOCATION_DENIED_TEXT : LOCATION_FAILED_TEXT);
    }, { enableHighAccuracy: true, timeout: LOCATION_TIMEOUT_MS, maximumAge: 60000 });
  }

  function closeLocationDialog(agreed) {
    locationDialog.close();
    locationButton.focus();
    if (agreed) {
      sendLocation();
    }
  }

  /* The resident keeps their place in the conversation when the text grows or shrinks. */
  function setLargeText(on) {
    var place = readingPlace();
    document.documentElement.classList.toggle("large", on);
    largeToggle.setAttribute("aria-pressed", on ? "true" : "false");
    store.set(KEYS.large, on ? "1" : "0");
    returnTo(place);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) {
      input.focus();
      return;
    }
    if (ask(text)) {
      input.value = "";
    }
  });

  largeToggle.addEventListener("click", function () {
    setLargeText(largeToggle.getAttribute("aria-pressed") !== "true");
  });

  /* "清除聊天记录": the history leaves this browser, and the next message starts a new conversation. */
  function clearHistory() {
    history = [];
    store.remove(KEYS.history);
    sender = null;
    store.remove(KEYS.sender);
    while (messages.firstChild) {
      messages.removeChild(messages.firstChild);
    }
    show(WELCOME);
    scrollToEnd();
  }

  function closeClearDialog(cleared) {
    clearDialog.close();
    if (cleared) {
      clearHistory();
      input.focus();
    } else {
      clearButton.focus();
    }
  }

  clearButton.addEventListener("click", function () {
    if (busy) {
      return;
    }
    if (typeof clearDialog.showModal === "function") {
      clearDialog.showModal();
      clearCancel.focus();
    } else if (window.confirm(clearQuestion.textContent)) {
      clearHistory();
    }
  });
  clearConfirm.addEventListener("click", function () {
    closeClearDialog(true);
  });
  clearCancel.addEventListener("click", function () {
    closeClearDialog(false);
  });
  /* Escape closes the dialog as 取消 does. */
  clearDialog.addEventListener("cancel", function (event) {
    event.preventDefault();
    closeClearDialog(false);
  });

  /* A phone opens its camera for a photo; a computer, its file picker. */
  if (window.matchMedia && window.matchMedia("(pointer: coarse)").matches) {
    photoInput.setAttribute("capture", "environment");
  }
  photoButton.addEventListener("click", function () {
    if (!busy) {
      photoInput.click();
    }
  });
  photoInput.addEventListener("change", function () {
    var file = photoInput.files && photoInput.files[0];
    photoInput.value = "";
    if (file) {
      sendPhoto(file);
    }
  });

  /* Only where the browser can tell its position (a secure page); the resident agrees first, in the page. */
  if (navigator.geolocation && window.isSecureContext !== false) {
    locationButton.hidden = false;
  }
  locationButton.addEventListener("click", function () {
    if (busy) {
      return;
    }
    if (typeof locationDialog.showModal === "function") {
      locationDialog.showModal();
      locationCancel.focus();
    } else if (window.confirm(locationQuestion.textContent)) {
      sendLocation();
    }
  });
  locationConfirm.addEventListener("click", function () {
    closeLocationDialog(true);
  });
  locationCancel.addEventListener("click", function () {
    closeLocationDialog(false);
  });
  locationDialog.addEventListener("cancel", function (event) {
    event.preventDefault();
    closeLocationDialog(false);
  });

  /* Back on the page: the conversation as it was, open at the start of the bot's last answer. */
  setLargeText(store.get(KEYS.large) === "1");
  var lastAnswer = show(WELCOME);
  history.forEach(function (entry) {
    if (entry.role === "user") {
      retireQuickReplies();
    }
    var item = show(entry);
    if (entry.role === "user") {
      lastAnswer = null;
    } else if (!lastAnswer) {
      lastAnswer = item;
    }
  });
  if (lastAnswer) {
    revealFrom(lastAnswer);
  } else {
    scrollToEnd();
  }
  checkNotes();
  window.setInterval(checkNotes, CHECK_MS);
  document.addEventListener("visibilitychange", checkNotes);
})();
